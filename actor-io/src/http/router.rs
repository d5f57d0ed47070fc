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
    /// Exact paths, each with its handlers by method.
    exact: Vec<PathRoutes<H>>,
    /// Prefix routes, keyed by the prefix with its trailing `/` (the route
    /// `/kv/*` is kept as `/kv/`), longest first.
    prefixes: Vec<PathRoutes<H>>,
}

/// The handlers of one path (or prefix), in the order they were added.
#[derive(Debug, Clone)]
struct PathRoutes<H> {
    path: String,
    methods: Vec<(String, H)>,
}

impl<H> PathRoutes<H> {
    fn handler(&self, method: &str) -> Option<&H> {
        self.methods
            .iter()
            .find(|(m, _)| m == method)
            .map(|(_, h)| h)
    }
}

impl<H> Default for Router<H> {
    fn default() -> Self {
        Self {
            exact: Vec::new(),
            prefixes: Vec::new(),
        }
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
        let (table, key) = match path.strip_suffix('*') {
            Some(prefix) if prefix.ends_with('/') => (&mut self.prefixes, prefix.to_owned()),
            _ => (&mut self.exact, path),
        };
        let at = match table.iter().position(|r| r.path == key) {
            Some(at) => at,
            None => {
                table.push(PathRoutes {
                    path: key,
                    methods: Vec::new(),
                });
                table.len() - 1
            }
        };
        let methods = &mut table[at].methods;
        methods.retain(|(m, _)| *m != method);
        methods.push((method, handler));
        // Longest prefix first; the sort is stable, so equal lengths keep
        // their order.
        self.prefixes
            .sort_by_key(|r| std::cmp::Reverse(r.path.len()));
    }

    /// The handler for `method` and `path` (the path without its query).
    pub fn route(&self, method: &str, path: &str) -> Route<'_, H> {
        let exact = self.exact.iter().find(|r| r.path == path);
        let prefixes = || {
            self.prefixes
                .iter()
                .filter(move |r| path.len() > r.path.len() && path.starts_with(r.path.as_str()))
        };
        let find = |m: &str| {
            exact
                .and_then(|r| r.handler(m))
                .or_else(|| prefixes().find_map(|r| r.handler(m)))
        };
        if let Some(h) = find(method).or_else(|| (method == "HEAD").then(|| find("GET")).flatten())
        {
            return Route::Found(h);
        }
        let mut allowed: Vec<&str> = Vec::new();
        for r in exact.into_iter().chain(prefixes()) {
            for (m, _) in &r.methods {
                if !allowed.contains(&m.as_str()) {
                    allowed.push(m);
                }
            }
        }
        if allowed.is_empty() {
            Route::NotFound
        } else {
            Route::MethodNotAllowed(allowed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Route, Router};

    fn router() -> Router<u32> {
        let mut r = Router::new();
        r.add("GET", "/a/*", 1);
        r.add("GET", "/a/b/*", 2);
        r.add("GET", "/a/b/c", 3);
        r.add("POST", "/a/b/c", 4);
        r.add("PUT", "/a/b/*", 5);
        r
    }

    #[test]
    fn an_exact_route_wins_over_a_prefix_and_a_longer_prefix_over_a_shorter() {
        let r = router();
        assert_eq!(r.route("GET", "/a/b/c"), Route::Found(&3));
        assert_eq!(r.route("GET", "/a/b/d"), Route::Found(&2));
        assert_eq!(r.route("GET", "/a/x"), Route::Found(&1));
        assert_eq!(r.route("GET", "/a/b/c/d"), Route::Found(&2));
    }

    #[test]
    fn a_prefix_needs_something_after_its_slash() {
        let r = router();
        assert_eq!(r.route("GET", "/a"), Route::NotFound);
        assert_eq!(r.route("GET", "/a/"), Route::NotFound);
        assert_eq!(r.route("GET", "/ab"), Route::NotFound);
    }

    #[test]
    fn the_method_is_matched_before_the_rank() {
        let r = router();
        // `/a/b/c` has no PUT; the prefix `/a/b/*` has.
        assert_eq!(r.route("PUT", "/a/b/c"), Route::Found(&5));
        assert_eq!(r.route("HEAD", "/a/b/c"), Route::Found(&3));
        assert_eq!(
            r.route("DELETE", "/a/b/c"),
            Route::MethodNotAllowed(vec!["GET", "POST", "PUT"])
        );
        assert_eq!(
            r.route("POST", "/a/x"),
            Route::MethodNotAllowed(vec!["GET"])
        );
    }

    #[test]
    fn a_later_route_replaces_an_earlier_one() {
        let mut r = router();
        r.add("GET", "/a/b/c", 30);
        r.add("GET", "/a/*", 10);
        assert_eq!(r.route("GET", "/a/b/c"), Route::Found(&30));
        assert_eq!(r.route("GET", "/a/x"), Route::Found(&10));
        assert_eq!(
            r.route("DELETE", "/a/b/c"),
            Route::MethodNotAllowed(vec!["POST", "GET", "PUT"])
        );
    }
}
