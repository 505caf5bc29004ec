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

/// One wasm bundle of the app crate, split at its lazy routes: cargo (with `features`, keeping the linker's
/// relocations, which the splitter needs to move functions between modules), wasm-split, wasm-bindgen on the
/// main module, wasm-opt on every module. Returns the directory holding the JS glue (`tongban_app.js`), the
/// main wasm (`tongban_app_bg.wasm`), the chunk loader (`__wasm_split.js`) and the chunks, which the
/// loader fetches relative to itself, so the directory is served as a whole.
fn bundle(features: &[&str], out: &str) -> Result<std::path::PathBuf> {
    let root = root();
    // Separate target dirs would rebuild every dependency; the features differ only in this crate, so the
    // two builds share one target dir and copy the wasm out between them. `cargo rustc` hands the link
    // argument to this crate alone: as RUSTFLAGS it would rebuild every dependency, and the worker's too.
    let mut c = cmd("cargo");
    c.args(["rustc", "--release", "--lib", "--target", "wasm32-unknown-unknown", "-p", "tongban-app"]);
    c.args(["--features", &[features, &["split"]].concat().join(",")]);
    c.args(["--", "-C", "link-arg=--emit-relocs"]);
    sh(&mut c)?;
    let pkg = root.join("target").join(out);
    let _ = fs::remove_dir_all(&pkg);
    fs::create_dir_all(&pkg).map_err(|e| e.to_string())?;
    let linked = fs::read(root.join("target/wasm32-unknown-unknown/release/tongban_app.wasm")).map_err(|e| e.to_string())?;
    // Beside the package, not in it: it is wasm-bindgen's input, and keeps its names for `twiggy`.
    let split_main = root.join("target").join(format!("{out}-main.wasm"));
    let split = wasm_split_cli_support::transform({
        let mut o = wasm_split_cli_support::Options::new(&linked);
        o.output_dir = &pkg;
        o.main_out_path = &split_main;
        o.main_module = "./tongban_app.js";
        o.link_name = "./__wasm_split.js";
        o
    })
    .map_err(|e| format!("wasm-split: {e:#}"))?;
    drop(linked);
    sh(cmd("wasm-bindgen")
        .arg(&split_main)
        .args(["--out-dir", pkg.to_str().unwrap(), "--out-name", "tongban_app", "--target", "web", "--no-typescript"])
        // The chunks link against the main module's lld exports by their mangled names.
        .args(["--keep-lld-exports", "--no-demangle", "--remove-name-section", "--remove-producers-section"]))?;
    let mut modules = vec![pkg.join("tongban_app_bg.wasm")];
    modules.extend(split.split_modules.iter().cloned());
    for m in &modules {
        let mut c = cmd("wasm-opt");
        c.args(["-Oz", "--strip-debug", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext"])
            .args(["--enable-reference-types", "--enable-multivalue", "--enable-mutable-globals"])
            .arg(m)
            .arg("-o")
            .arg(m);
        let out = c.output().map_err(|e| format!("wasm-opt: {e}"))?;
        // wasm-split writes a name subsection binaryen does not know and warns about (once per chunk); the
        // names are stripped here anyway.
        for line in String::from_utf8_lossy(&out.stderr).lines().filter(|l| !l.starts_with("warning: unknown name subsection")) {
            eprintln!("{line}");
        }
        if !out.status.success() {
            return Err(format!("wasm-opt {} failed ({})", m.display(), out.status));
        }
    }
    Ok(pkg)
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
    // A bundle's files go together under a directory named by the hash of all of them: the loader fetches
    // chunks by relative names, and every file can still be cached forever.
    let mut dirs = Vec::new();
    for (prefix, pkg) in [("tongban", &resident), ("console", &console)] {
        let mut files: Vec<_> = fs::read_dir(pkg).map_err(|e| e.to_string())?.flatten().map(|e| e.path()).collect();
        files.sort();
        let mut all = Vec::new();
        for f in &files {
            all.extend(f.file_name().unwrap().to_string_lossy().bytes());
            all.extend(fs::read(f).map_err(|e| e.to_string())?);
        }
        let dir = format!("{prefix}-{:012x}", fnv1a64(&all) & 0xffff_ffff_ffff);
        copy_dir(pkg, &assets.join(&dir))?;
        dirs.push(format!("/assets/{dir}"));
    }
    let (js_url, wasm_url) = (format!("{}/tongban_app.js", dirs[0]), format!("{}/tongban_app_bg.wasm", dirs[0]));
    let (console_js, console_wasm) = (format!("{}/tongban_app.js", dirs[1]), format!("{}/tongban_app_bg.wasm", dirs[1]));
    let css = fs::read(root.join("app/style/app.css")).map_err(|e| e.to_string())?;
    let css_url = write(hashed("app", "css", &css), &css)?;
    // The glue must be started by a module; it is generated here, not written by hand, and it is a file
    // (not an inline script) so the Content-Security-Policy can forbid inline scripts. On a console page
    // (`tongban_shared::bundles`) it loads the console bundle, elsewhere the resident app.
    let prefixes = serde_json::to_string(tongban_shared::bundles::CONSOLE_PREFIXES).map_err(|e| e.to_string())?;
    let boot = format!(
        "const p = location.pathname;\n\
         const staff = {prefixes}.some((x) => x.endsWith(\"/\") ? p.startsWith(x) : p === x || p.startsWith(x + \"/\"));\n\
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

fn brotli_len(raw: &[u8]) -> Result<usize> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &raw[..], &mut out, &params).map_err(|e| e.to_string())?;
    Ok(out.len())
}

/// Brotli-compressed size of what a resident's first visit downloads before the app is interactive: the
/// boot module, the CSS, and the resident bundle's JS glue, main wasm and chunk loader (`index.html` itself
/// is excluded: it is tiny and must be revalidated anyway). The home page is in the main wasm; other pages'
/// chunks are fetched when a page needs them, and the staff console bundle only on staff desks, so both
/// are listed but not counted. Returns `(bytes, per-file lines)`.
pub fn initial_download() -> Result<(usize, Vec<String>)> {
    let assets = root().join("dist/assets");
    let mut total = 0;
    let mut lines = Vec::new();
    let mut files = Vec::new();
    let listed = |d: &Path| -> Result<Vec<std::path::PathBuf>> {
        let mut v: Vec<_> =
            fs::read_dir(d).map_err(|e| format!("{}: {e} (build first)", d.display()))?.flatten().map(|e| e.path()).collect();
        v.sort();
        Ok(v)
    };
    for p in listed(&assets)? {
        if p.is_dir() {
            files.extend(listed(&p)?);
        } else {
            files.push(p);
        }
    }
    // Files not counted are summed per bundle directory: (files, raw, brotli).
    let mut later: std::collections::BTreeMap<String, (usize, usize, usize)> = Default::default();
    for p in files {
        let name = p.strip_prefix(&assets).unwrap_or(&p).to_string_lossy().into_owned();
        if !(name.ends_with(".wasm") || name.ends_with(".js") || name.ends_with(".css")) {
            continue;
        }
        let raw = fs::read(&p).map_err(|e| e.to_string())?;
        let br = brotli_len(&raw)?;
        let file = p.file_name().unwrap_or_default().to_string_lossy();
        let first_visit = !name.contains('/') || (name.starts_with("tongban-") && ["tongban_app.js", "tongban_app_bg.wasm", "__wasm_split.js"].contains(&&*file));
        if first_visit {
            lines.push(format!("  {name}: {} B raw, {br} B brotli", raw.len()));
            total += br;
        } else {
            let e = later.entry(name.split('/').next().unwrap_or_default().to_string()).or_default();
            *e = (e.0 + 1, e.1 + raw.len(), e.2 + br);
        }
    }
    for (dir, (n, raw, br)) in later {
        let why = if dir.starts_with("console-") { "the staff console bundle" } else { "page chunks, fetched when a page needs them" };
        lines.push(format!("  {dir}/: {n} more files, {raw} B raw, {br} B brotli ({why}; not counted)"));
    }
    Ok((total, lines))
}
