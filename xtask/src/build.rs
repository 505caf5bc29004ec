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
fn bundle(features: &[&str], out: &str) -> Result<(std::path::PathBuf, Prefetch)> {
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
    // Hundreds of small modules in the console bundle: one wasm-opt per core.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let results: Vec<Result> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| -> Result {
                    while let Some(m) = modules.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
                        optimise(m)?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("wasm-opt worker panicked".into()))).collect()
    });
    results.into_iter().collect::<Result<Vec<()>>>()?;
    Ok((pkg, split.prefetch_map))
}

/// `wasm-opt -Oz` on one module, in place.
fn optimise(m: &Path) -> Result {
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
    Ok(())
}

/// For each split point (a lazy route's view), the file stems of the modules it needs.
type Prefetch = std::collections::HashMap<String, Vec<String>>;

/// The app's lazy routes as `(path pattern, route type)`, read from the route list in `app/src/lib.rs`
/// (`<Route path=path!("/items/:id") view={Lazy::<ItemRoute>::new()}/>`), so the list is written once.
fn lazy_routes() -> Result<Vec<(String, String)>> {
    let src = fs::read_to_string(root().join("app/src/lib.rs")).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for line in src.lines() {
        let Some(rest) = line.trim().strip_prefix("<Route path=path!(\"") else { continue };
        let Some((path, rest)) = rest.split_once("\")") else { continue };
        let Some(route) = rest.trim().strip_prefix("view={Lazy::<").and_then(|r| r.split_once('>')).map(|(r, _)| r) else { continue };
        out.push((path.to_string(), route.to_string()));
    }
    if out.is_empty() {
        return Err("no lazy routes found in app/src/lib.rs".into());
    }
    Ok(out)
}

/// `ItemRoute` → `item_route`, as `#[lazy_route]` names the split point (`__item_route_view_<hash>`).
fn snake(ident: &str) -> String {
    let mut s = String::new();
    for (i, c) in ident.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            s.push('_');
        }
        s.push(c.to_ascii_lowercase());
    }
    s
}

/// Writes `preload.js` into a bundle: a page opened by its own URL fetches its chunks while the main
/// module downloads, instead of after it has started. Its table is `[regex of the path, [chunk stems]]`
/// for each of the bundle's own lazy routes (a deep link elsewhere loads the other bundle). Every split
/// point must belong to a route of the app, or the build fails.
fn write_preload(routes: &[(String, String)], prefetch: &Prefetch, pkg: &Path, console: bool) -> Result {
    let mut used = 0;
    let mut table = Vec::new();
    for (path, route) in routes {
        let point = format!("__{}_view_", snake(route));
        let Some((_, stems)) = prefetch.iter().find(|(k, _)| k.contains(&point)) else { continue };
        used += 1;
        if tongban_shared::bundles::is_console_path(path) != console {
            continue;
        }
        if let Some(stem) = stems.iter().find(|s| !pkg.join(format!("{s}.wasm")).is_file()) {
            return Err(format!("wasm-split listed {stem} for {route}, but there is no {stem}.wasm"));
        }
        let re: Vec<String> = path.split('/').map(|seg| if seg.starts_with(':') { "[^/]+".to_string() } else { seg.to_string() }).collect();
        table.push(serde_json::json!([format!("^{}$", re.join("/")), stems]));
    }
    if used != prefetch.len() {
        return Err(format!("{} of {} split points matched a lazy route in app/src/lib.rs", used, prefetch.len()));
    }
    let js = format!(
        "// Generated by xtask (build.rs): preloads the chunks of the page being opened.\n\
         const p = location.pathname;\n\
         for (const [re, stems] of {table}) if (new RegExp(re).test(p)) for (const s of stems) {{\n\
           const l = document.createElement(\"link\");\n\
           Object.assign(l, {{ rel: \"preload\", as: \"fetch\", crossOrigin: \"anonymous\", href: new URL(`./${{s}}.wasm`, import.meta.url).href }});\n\
           document.head.append(l);\n\
         }}\n",
        table = serde_json::Value::Array(table)
    );
    fs::write(pkg.join("preload.js"), js).map_err(|e| e.to_string())
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
    let routes = lazy_routes()?;
    for (prefix, (pkg, prefetch)) in [("tongban", &resident), ("console", &console)] {
        write_preload(&routes, prefetch, pkg, prefix == "console")?;
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
    let css = fs::read(root.join("app/style/app.css")).map_err(|e| e.to_string())?;
    let css_url = write(hashed("app", "css", &css), &css)?;
    // The boot script picks the bundle for the page (`tongban_shared::bundles`), preloads that bundle's
    // main wasm and imports its preloader and JS glue. Inline, before the stylesheet, so it runs at once
    // and a console page never downloads the resident wasm (as a preload in the HTML it would); the
    // Content-Security-Policy allows exactly this script by its hash, and no other inline script.
    let prefixes = serde_json::to_string(tongban_shared::bundles::CONSOLE_PREFIXES).map_err(|e| e.to_string())?;
    let boot = format!(
        "(() => {{\n\
         const p = location.pathname;\n\
         const staff = {prefixes}.some((x) => x.endsWith(\"/\") ? p.startsWith(x) : p === x || p.startsWith(x + \"/\"));\n\
         const dir = staff ? \"{console_dir}\" : \"{resident_dir}\";\n\
         const wasm = `${{dir}}/tongban_app_bg.wasm`;\n\
         const l = document.createElement(\"link\");\n\
         Object.assign(l, {{ rel: \"preload\", as: \"fetch\", crossOrigin: \"anonymous\", href: wasm }});\n\
         document.head.append(l);\n\
         import(`${{dir}}/preload.js`).catch(() => {{}});\n\
         import(`${{dir}}/tongban_app.js`).then((m) => m.default({{ module_or_path: wasm }}));\n\
         }})();",
        resident_dir = dirs[0],
        console_dir = dirs[1],
    );
    let hash = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(boot.as_bytes()))
    };
    let headers_path = dist.join("_headers");
    let headers = fs::read_to_string(&headers_path).map_err(|e| e.to_string())?;
    let allow = "script-src 'self' 'wasm-unsafe-eval'";
    if !headers.contains(allow) {
        return Err(format!("public/_headers: the Content-Security-Policy no longer has {allow:?}"));
    }
    fs::write(&headers_path, headers.replace(allow, &format!("{allow} 'sha256-{hash}'"))).map_err(|e| e.to_string())?;

    let template = fs::read_to_string(root.join("app/index.html")).map_err(|e| e.to_string())?;
    let html = template.replace("{{CSS}}", &css_url).replace("{{BOOT}}", &boot);
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
/// CSS, and the resident bundle's JS glue, main wasm, chunk loader and chunk preloader (`index.html`, with
/// the boot script inline, is excluded: it is small and must be revalidated anyway). The home page is in the
/// main wasm; other pages' chunks are fetched when a page needs them, and the staff console bundle only on
/// console pages, so both are listed but not counted. Returns `(bytes, per-file lines)`.
pub fn initial_download() -> Result<(usize, Vec<String>)> {
    let assets = root().join("dist/assets");
    let mut total = 0;
    let mut lines = Vec::new();
    let mut files = Vec::new();
    let listed = |d: &Path| -> Result<Vec<std::path::PathBuf>> {
        let mut v: Vec<_> = fs::read_dir(d).map_err(|e| format!("{}: {e} (build first)", d.display()))?.flatten().map(|e| e.path()).collect();
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
        let first_visit = !name.contains('/')
            || (name.starts_with("tongban-") && ["tongban_app.js", "tongban_app_bg.wasm", "__wasm_split.js", "preload.js"].contains(&&*file));
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
