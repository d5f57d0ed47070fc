//! A small exact-match router: (method, path) to a handler value.

/// What [`Router::route`] found for a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Route<'a, H> {
    /// A handler for this method and path.
    Found(&'a H),
    /// The path exists but not for this method: answer 405 with the
    /// `Allow` header listing these methods.
    MethodNotAllowed(Vec<&'a str>),
    /// No route for this path: answer 404.
    NotFound,
}

/// Maps `(method, path)` to a handler: a handler id, a boxed closure, or
/// the address of the actor that serves the route. Paths match exactly
/// (the query is not part of the path), except that a route ending in `/*`
/// matches every path under its prefix (`/kv/*` matches `/kv/a` and
/// `/kv/a/b`, not `/kv`); an exact route wins over a prefix route, and a
/// longer prefix over a shorter one. `HEAD` falls back to `GET`.
///
/// ```
/// use actor_io::http::{Route, Router};
/// let mut router = Router::new();
/// router.add("GET", "/health", 1);
/// router.add("POST", "/items", 2);
/// assert_eq!(router.route("GET", "/health"), Route::Found(&1));
/// assert_eq!(router.route("HEAD", "/health"), Route::Found(&1));
/// assert_eq!(router.route("GET", "/items"), Route::MethodNotAllowed(vec!["POST"]));
/// assert_eq!(router.route("GET", "/nope"), Route::NotFound);
///
/// router.add("PUT", "/kv/*", 3);
/// assert_eq!(router.route("PUT", "/kv/apple"), Route::Found(&3));
/// assert_eq!(router.route("GET", "/kv/apple"), Route::MethodNotAllowed(vec!["PUT"]));
/// assert_eq!(router.route("PUT", "/kv"), Route::NotFound);
/// ```
#[derive(Debug, Clone)]
pub struct Router<H> {
    routes: Vec<(String, String, H)>,
}

impl<H> Default for Router<H> {
    fn default() -> Self {
        Self { routes: Vec::new() }
    }
}

impl<H> Router<H> {
    /// An empty router.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a route; a later route for the same method and path replaces
    /// the earlier one.
    pub fn add(&mut self, method: impl Into<String>, path: impl Into<String>, handler: H) {
        let (method, path) = (method.into(), path.into());
        self.routes
            .retain(|(m, p, _)| !(*m == method && *p == path));
        self.routes.push((method, path, handler));
    }

    /// The handler for `method` and `path` (the path without its query).
    pub fn route(&self, method: &str, path: &str) -> Route<'_, H> {
        let find = |m: &str| {
            self.routes
                .iter()
                .filter(|(rm, rp, _)| rm == m && matches(rp, path).is_some())
                .max_by_key(|(_, rp, _)| matches(rp, path))
                .map(|(_, _, h)| h)
        };
        if let Some(h) = find(method).or_else(|| (method == "HEAD").then(|| find("GET")).flatten())
        {
            return Route::Found(h);
        }
        let mut allowed: Vec<&str> = Vec::new();
        for (m, p, _) in &self.routes {
            if matches(p, path).is_some() && !allowed.contains(&m.as_str()) {
                allowed.push(m);
            }
        }
        if allowed.is_empty() {
            Route::NotFound
        } else {
            Route::MethodNotAllowed(allowed)
        }
    }
}

/// How well `pattern` matches `path`: `None` when it does not; an exact
/// match ranks above every prefix match, a longer prefix above a shorter.
fn matches(pattern: &str, path: &str) -> Option<usize> {
    match pattern.strip_suffix('*') {
        Some(prefix) if prefix.ends_with('/') => {
            (path.len() > prefix.len() && path.starts_with(prefix)).then_some(prefix.len())
        }
        _ => (pattern == path).then_some(usize::MAX),
    }
}
