//! The console's pages seen as a browser without JavaScript sees them: cookies kept, redirects
//! not followed (so a test sees each 303), forms posted with the CSRF token of the last page
//! that carried one.

use std::sync::Mutex;

/// One visitor of one service, with its own cookies.
pub struct Visitor {
    pub base: String,
    http: reqwest::Client,
    csrf: Mutex<Option<String>>,
}

/// A page as received.
#[derive(Debug)]
pub struct Seen {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Seen {
    /// Where a redirect leads.
    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// Every `Set-Cookie` of the answer.
    pub fn cookies(&self) -> Vec<&str> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }

    /// The text of the first element with `id="{id}"` (tags stripped).
    pub fn by_id(&self, id: &str) -> Option<String> {
        let re = regex::Regex::new(&format!(r#"(?s)id="{}"[^>]*>(.*?)</"#, regex::escape(id)))
            .expect("regex");
        re.captures(&self.body)
            .map(|c| strip_tags(&c[1]).trim().to_owned())
    }
}

fn strip_tags(s: &str) -> String {
    let re = regex::Regex::new(r"<[^>]*>").expect("regex");
    re.replace_all(s, "").into_owned()
}

impl Visitor {
    pub fn new(base: &str) -> Self {
        Self::with_language(base, None)
    }

    /// A visitor whose browser asks for `lang` (`Accept-Language`).
    pub fn with_language(base: &str, lang: Option<&str>) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(l) = lang.and_then(|l| reqwest::header::HeaderValue::from_str(l).ok()) {
            headers.insert(reqwest::header::ACCEPT_LANGUAGE, l);
        }
        Self {
            base: base.trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .default_headers(headers)
                .build()
                .expect("client"),
            csrf: Mutex::new(None),
        }
    }

    async fn seen(&self, r: reqwest::Response) -> Seen {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.text().await.expect("body");
        let re = regex::Regex::new(r#"name="csrf" value="([^"]+)""#).expect("regex");
        if let Some(c) = re.captures(&body) {
            *self.csrf.lock().expect("csrf") = Some(c[1].to_owned());
        }
        Seen {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Seen {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        self.seen(r).await
    }

    /// Posts `fields` as a form, with the CSRF token of the last page that had one.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Seen {
        let token = self.csrf.lock().expect("csrf").clone().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly `fields` (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Seen {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .expect("POST");
        self.seen(r).await
    }

    /// Signed in with a password someone else set: `page` leads to `/account`, which says
    /// why; the password changes there from `current` to `new`, and `page` opens after that.
    pub async fn change_a_password_set_by_someone_else(
        &self,
        page: &str,
        current: &str,
        new: &str,
    ) {
        let away = self.get(page).await;
        assert_eq!((away.status, away.location()), (303, Some("/account")));
        let account = self.get("/account").await;
        assert!(
            account.body.contains("您的密码是由他人设置的"),
            "{}",
            account.body
        );
        let changed = self
            .post(
                "/account/password",
                &[("current_password", current), ("new_password", new)],
            )
            .await;
        assert_eq!(changed.status, 200, "{}", changed.body);
        assert!(changed.body.contains("密码已修改"), "{}", changed.body);
        assert_eq!(self.get(page).await.status, 200);
    }

    /// Logs in through the portal's login page; panics unless it leads on.
    pub async fn log_in(&self, email: &str, password: &str) {
        self.log_in_to(email, password, "/filings").await;
    }

    /// Logs in through the login page, on to `next`; panics unless it leads on.
    pub async fn log_in_to(&self, email: &str, password: &str, next: &str) {
        self.get("/login").await;
        let r = self
            .post(
                "/login",
                &[("email", email), ("password", password), ("next", next)],
            )
            .await;
        assert_eq!(r.status, 303, "login: {}", r.body);
    }
}
