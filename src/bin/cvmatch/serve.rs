//! `cvmatch serve DIR`: a static file server for the demo and the browser tests.
//!
//! Binds 127.0.0.1 only. Sends the right MIME types (`application/wasm` matters: browsers
//! stream-compile wasm only with it), `Content-Length`, and `Cache-Control: no-cache` so
//! that the browser's HTTP cache never hides what the Cache API does. Paths are decoded and
//! resolved under DIR; `..` segments and anything resolving outside DIR (symlinks included)
//! answer 404. Directories serve their `index.html`; there are no listings.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use cvmatch::{Error, Result};
use tiny_http::{Header, Method, Request, Response, Server, StatusCode};

/// Options of `cvmatch serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Directory to serve.
    dir: PathBuf,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Send COOP/COEP/CORP headers so pages are cross-origin isolated (SharedArrayBuffer).
    #[arg(long)]
    coop_coep: bool,
}

/// The Content-Type for a file name.
pub fn mime_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "wasm" => "application/wasm",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        _ => "application/octet-stream", // safetensors, gguf, cvx, …
    }
}

/// Maps a request target (`/a/b%20c?x`) to a path under `root`, or `None` when it is not
/// a clean relative path (`..`, backslashes, NUL, undecodable bytes).
pub fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let raw = target.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()?;
    let mut path = root.to_path_buf();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s if s.contains(['\\', '\0']) => return None,
            s => path.push(s),
        }
    }
    Some(path)
}

/// A header, or `None` for a non-ASCII value (left out rather than sent broken).
fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn common_headers(coop_coep: bool) -> Vec<Header> {
    let mut h = vec![("Cache-Control", "no-cache")];
    if coop_coep {
        h.push(("Cross-Origin-Opener-Policy", "same-origin"));
        h.push(("Cross-Origin-Embedder-Policy", "require-corp"));
        h.push(("Cross-Origin-Resource-Policy", "same-origin"));
    }
    h.into_iter().filter_map(|(n, v)| header(n, v)).collect()
}

fn text_response(status: u16, body: &str, coop_coep: bool) -> Response<std::io::Cursor<Vec<u8>>> {
    let mut r = Response::from_string(body).with_status_code(StatusCode(status));
    for h in common_headers(coop_coep)
        .into_iter()
        .chain(header("Content-Type", "text/plain; charset=utf-8"))
    {
        r.add_header(h);
    }
    r
}

fn handle(request: Request, root: &Path, coop_coep: bool) {
    let url = request.url().to_string();
    let respond_text = |request: Request, status: u16, body: &str| {
        eprintln!("{} {url} {status}", request.method());
        let _ = request.respond(text_response(status, body, coop_coep));
    };
    if !matches!(request.method(), Method::Get | Method::Head) {
        return respond_text(request, 405, "method not allowed\n");
    }
    let Some(mut path) = resolve(root, &url) else {
        return respond_text(request, 404, "not found\n");
    };
    if path.is_dir() {
        let bare = url.split(['?', '#']).next().unwrap_or("");
        if !bare.ends_with('/') {
            eprintln!("{} {url} 301", request.method());
            let mut r = text_response(301, "moved\n", coop_coep);
            if let Some(h) = header("Location", &format!("{bare}/")) {
                r.add_header(h);
            }
            let _ = request.respond(r);
            return;
        }
        path.push("index.html");
    }
    // Symlinks must not lead outside the served directory.
    let inside = path
        .canonicalize()
        .map(|p| p.starts_with(root))
        .unwrap_or(false);
    let file = if inside {
        std::fs::File::open(&path).ok()
    } else {
        None
    };
    let Some(file) = file.filter(|f| f.metadata().map(|m| m.is_file()).unwrap_or(false)) else {
        return respond_text(request, 404, "not found\n");
    };
    eprintln!("{} {url} 200", request.method());
    // from_file knows the file's size; a threshold above any size keeps tiny_http from
    // switching large bodies to chunked encoding, so Content-Length is always sent.
    let mut response = Response::from_file(file).with_chunked_threshold(usize::MAX);
    for h in common_headers(coop_coep)
        .into_iter()
        .chain(header("Content-Type", mime_type(&path)))
    {
        response.add_header(h);
    }
    let _ = request.respond(response);
}

/// Serves `args.dir` on 127.0.0.1 until killed.
pub fn run(args: ServeArgs) -> Result<ExitCode> {
    let root = args.dir.canonicalize().map_err(|source| Error::Io {
        path: args.dir.display().to_string(),
        source,
    })?;
    let address = format!("127.0.0.1:{}", args.port);
    let server = Server::http(&address).map_err(|e| Error::Io {
        path: address.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .unwrap_or(args.port);
    println!(
        "serving {} on http://127.0.0.1:{port}/{} (Ctrl-C to stop)",
        root.display(),
        if args.coop_coep {
            " with COOP/COEP"
        } else {
            ""
        }
    );
    for request in server.incoming_requests() {
        let root = root.clone();
        // One thread per request: a 90 MB download must not hold up the page's other files.
        std::thread::spawn(move || handle(request, &root, args.coop_coep));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_clean_paths_and_rejects_traversal() {
        let root = Path::new("/srv");
        assert_eq!(
            resolve(root, "/a/b.js?x=1"),
            Some(PathBuf::from("/srv/a/b.js"))
        );
        assert_eq!(resolve(root, "/a%20b/c"), Some(PathBuf::from("/srv/a b/c")));
        assert_eq!(resolve(root, "/"), Some(PathBuf::from("/srv")));
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/a/%2e%2e/%2e%2e/etc"), None);
        assert_eq!(resolve(root, "/a\\..\\b"), None);
        assert_eq!(resolve(root, "/%ff"), None);
    }

    #[test]
    fn mime_types() {
        assert_eq!(mime_type(Path::new("x.wasm")), "application/wasm");
        assert_eq!(
            mime_type(Path::new("x.mjs")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            mime_type(Path::new("model.safetensors")),
            "application/octet-stream"
        );
        assert_eq!(
            mime_type(Path::new("a.JSON")),
            "application/json; charset=utf-8"
        );
    }
}
