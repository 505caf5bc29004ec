//! Builds the worker (`edge/build`, by worker-build) and the app (`dist/`, by cargo + wasm-bindgen +
//! wasm-opt). App files get content-hashed names under `dist/assets/`, so they can be cached forever
//! while `index.html` is always revalidated.

use crate::tools::{cargo_bin, cmd, node_bin, sh};
use crate::{root, Result};
use std::fs;
use std::path::Path;
use tongban_shared::etag::fnv1a64;

/// Version string baked into the worker (shown by /api/v1/health).
pub fn version() -> String {
    let rev = crate::tools::output("git", &["-C", root().to_str().unwrap_or("."), "rev-parse", "--short=10", "HEAD"])
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    format!("{}+{rev}", env!("CARGO_PKG_VERSION"))
}

pub fn all() -> Result {
    worker()?;
    app()
}

pub fn worker() -> Result {
    let t = std::time::Instant::now();
    sh(cmd("worker-build")
        .arg("--release")
        .current_dir(root().join("edge"))
        .env("TONGBAN_VERSION", version())
        .env("WASM_BINDGEN_BIN", cargo_bin("wasm-bindgen"))
        .env("WASM_OPT_BIN", node_bin().join("wasm-opt"))
        .env("ESBUILD_BIN", node_bin().join("esbuild")))?;
    println!("xtask: worker built ({:.0} s)", t.elapsed().as_secs_f32());
    Ok(())
}

fn hashed(name: &str, ext: &str, bytes: &[u8]) -> String {
    format!("{name}-{:012x}.{ext}", fnv1a64(bytes) & 0xffff_ffff_ffff)
}

/// One wasm bundle of the app crate: cargo (with `features`), wasm-bindgen, wasm-opt. Returns the paths of
/// the JS glue and the optimised wasm.
fn bundle(features: &[&str], out: &str) -> Result<(std::path::PathBuf, std::path::PathBuf)> {
    let root = root();
    // Separate target dirs would rebuild every dependency; the features differ only in this crate, so the
    // two builds share one target dir and copy the wasm out between them.
    let mut c = cmd("cargo");
    c.args(["build", "--release", "--target", "wasm32-unknown-unknown", "-p", "tongban-app"]);
    if !features.is_empty() {
        c.args(["--features", &features.join(",")]);
    }
    sh(&mut c)?;
    let pkg = root.join("target").join(out);
    let _ = fs::remove_dir_all(&pkg);
    sh(cmd("wasm-bindgen")
        .arg(root.join("target/wasm32-unknown-unknown/release/tongban_app.wasm"))
        .args(["--out-dir", pkg.to_str().unwrap(), "--target", "web", "--no-typescript"])
        .args(["--remove-name-section", "--remove-producers-section"]))?;
    let opt_wasm = pkg.join("opt.wasm");
    sh(cmd("wasm-opt")
        .args(["-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext"])
        .args(["--enable-reference-types", "--enable-multivalue", "--enable-mutable-globals"])
        .arg(pkg.join("tongban_app_bg.wasm"))
        .arg("-o")
        .arg(&opt_wasm))?;
    Ok((pkg.join("tongban_app.js"), opt_wasm))
}

pub fn app() -> Result {
    let t = std::time::Instant::now();
    let root = root();
    let resident = bundle(&[], "app-pkg")?;
    let console = bundle(&["console"], "console-pkg")?;

    let dist = root.join("dist");
    let _ = fs::remove_dir_all(&dist);
    copy_dir(&root.join("public"), &dist)?;
    let assets = dist.join("assets");
    fs::create_dir_all(&assets).map_err(|e| e.to_string())?;

    let write = |name: String, bytes: &[u8]| -> Result<String> {
        fs::write(assets.join(&name), bytes).map_err(|e| format!("write {name}: {e}"))?;
        Ok(format!("/assets/{name}"))
    };
    let mut urls = Vec::new();
    for (prefix, (js, wasm)) in [("tongban", &resident), ("console", &console)] {
        let wasm = fs::read(wasm).map_err(|e| e.to_string())?;
        let js = fs::read(js).map_err(|e| e.to_string())?;
        urls.push((write(hashed(prefix, "wasm", &wasm), &wasm)?, write(hashed(prefix, "js", &js), &js)?));
    }
    let [(wasm_url, js_url), (console_wasm, console_js)] = [urls[0].clone(), urls[1].clone()];
    let css = fs::read(root.join("app/style/app.css")).map_err(|e| e.to_string())?;
    let css_url = write(hashed("app", "css", &css), &css)?;
    // The glue must be started by a module; it is generated here, not written by hand, and it is a file
    // (not an inline script) so the Content-Security-Policy can forbid inline scripts. Under /staff it
    // loads the console bundle (staff and center devices:
    // /staff, /kiosk, /display) and the public dashboard, elsewhere the resident app.
    let boot = format!(
        "const p = location.pathname;\n\
         const staff = [\"/staff\", \"/kiosk/\", \"/display/\", \"/dashboard\", \"/review\", \"/reviews\", \"/apply/\", \"/applications\", \"/licences\"].some((x) => p === x || p.startsWith(x.endsWith(\"/\") ? x : x + \"/\"));\n\
         const [js, wasm] = staff ? [\"{console_js}\", \"{console_wasm}\"] : [\"{js_url}\", \"{wasm_url}\"];\n\
         const {{ default: init }} = await import(js);\n\
         init({{ module_or_path: wasm }});\n"
    );
    let boot_url = write(hashed("boot", "js", boot.as_bytes()), boot.as_bytes())?;

    let template = fs::read_to_string(root.join("app/index.html")).map_err(|e| e.to_string())?;
    let html = template
        .replace("{{CSS}}", &css_url)
        .replace("{{JS}}", &js_url)
        .replace("{{WASM}}", &wasm_url)
        .replace("{{BOOT}}", &boot_url);
    fs::write(dist.join("index.html"), html).map_err(|e| e.to_string())?;
    println!("xtask: app built, resident and console bundles ({:.0} s)", t.elapsed().as_secs_f32());
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to).map_err(|e| format!("mkdir {}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("read {}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let dest = to.join(entry.file_name());
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            copy_dir(&entry.path(), &dest)?;
        } else {
            fs::copy(entry.path(), &dest).map_err(|e| format!("copy {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Brotli-compressed size of what a resident's first visit downloads before the app is interactive:
/// the resident wasm and JS glue, the boot module and the CSS (`index.html` itself is excluded: it is
/// tiny and must be revalidated anyway). The staff console bundle is listed but not counted: only staff
/// desks under /staff load it. Returns `(bytes, per-file lines)`.
pub fn initial_download() -> Result<(usize, Vec<String>)> {
    let assets = root().join("dist/assets");
    let mut total = 0;
    let mut lines = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(&assets).map_err(|e| format!("{}: {e} (build first)", assets.display()))?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        if !(name.ends_with(".wasm") || name.ends_with(".js") || name.ends_with(".css")) {
            continue;
        }
        let raw = fs::read(e.path()).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
        brotli::BrotliCompress(&mut raw.as_slice(), &mut out, &params).map_err(|e| e.to_string())?;
        if name.starts_with("console-") {
            lines.push(format!("  {name}: {} B raw, {} B brotli (staff console, not counted)", raw.len(), out.len()));
        } else {
            lines.push(format!("  {name}: {} B raw, {} B brotli", raw.len(), out.len()));
            total += out.len();
        }
    }
    Ok((total, lines))
}
