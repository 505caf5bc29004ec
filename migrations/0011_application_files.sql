-- Which uploads an application points to, written with the application: staff may open an upload only
-- through an application of their center (front desk) or with a case of their department.
CREATE TABLE application_files (
  application_id  TEXT NOT NULL REFERENCES applications(id),
  upload_id       TEXT NOT NULL REFERENCES uploads(id),
  field           TEXT NOT NULL,
  PRIMARY KEY (application_id, upload_id, field)
);
CREATE INDEX application_files_upload ON application_files (upload_id);
