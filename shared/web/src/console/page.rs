//! What a console handler knows of its request: the language, the CSRF token, and who is
//! signed in (a browser session in the zone's cookie, resolved as a bearer token is); and the
//! form extractor that refuses a POST without the token.

use super::{Console, Lang, MenuItem, PageError};
use crate::auth::{self, Auth};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use chrono::{DateTime, NaiveDate, Utc};
use frt_cases::{Caller, Core};
use frt_store::ScopedFutureExt;
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

/// The language and CSRF token the console middleware settled for a request.
#[derive(Debug, Clone)]
pub struct Visit {
    pub lang: Lang,
    pub csrf: String,
}

/// Whether a cookie's value has the shape of a token we issue (so that no other value is
/// ever echoed into a page).
pub(super) fn token_shape(v: &str) -> bool {
    (32..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A console page's context: language, CSRF token, the signed-in caller if any, the menu.
pub struct Page {
    pub lang: Lang,
    pub csrf: String,
    /// The path and query the page was asked with (for the language switch and `next`).
    pub path: String,
    pub user: Option<Caller>,
    pub menu: &'static [MenuItem],
    session_hash: Option<Vec<u8>>,
    /// The signed-in account's password was set by someone else: every page but the account
    /// page (to change it) and logout sends the browser there first.
    pub must_change_password: bool,
}

/// The pages (and the forms below them) a session whose password must be changed first may
/// still open.
pub const FIRST_LOGIN_PAGES: &[&str] = &["/account", "/logout"];

fn first_login_page(path: &str) -> bool {
    FIRST_LOGIN_PAGES.iter().any(|p| {
        path == *p
            || path
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

impl Page {
    /// A page for no one in particular (error pages).
    pub fn anonymous(lang: Lang, csrf: &str, path: &str, menu: &'static [MenuItem]) -> Self {
        Self {
            lang,
            csrf: csrf.to_owned(),
            path: path.to_owned(),
            user: None,
            menu,
            session_hash: None,
            must_change_password: false,
        }
    }

    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.lang.t(key)
    }

    /// The text of `prefix.value`: a label for a stored value (a status, a kind).
    pub fn label(&self, prefix: &str, value: &str) -> String {
        let key = format!("{prefix}.{value}");
        if self.lang.has(&key) {
            self.lang.t(&key).to_owned()
        } else {
            value.to_owned()
        }
    }

    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.lang.tf(key, args)
    }

    pub fn date(&self, d: &NaiveDate) -> String {
        self.lang.date(*d)
    }

    pub fn datetime(&self, t: &DateTime<Utc>) -> String {
        self.lang.datetime(*t)
    }

    /// The signed-in caller, or a redirect to the login page that comes back here.
    pub fn caller(&self) -> Result<&Caller, PageError> {
        self.user.as_ref().ok_or_else(|| PageError::SignIn {
            next: self.path.clone(),
        })
    }

    /// The page as the session of `token` sees it: for the answer that opens that session
    /// (its header names the person signed in, not a link to log in).
    pub async fn open_as(
        &mut self,
        req: &HttpRequest,
        core: &Core,
        token: &str,
    ) -> Result<(), PageError> {
        let a = auth::resolve(req, core, token).await?;
        self.user = Some(a.caller);
        self.session_hash = Some(a.token_hash);
        Ok(())
    }

    /// The hash of the session's token, when signed in.
    pub fn session_hash(&self) -> Option<&[u8]> {
        self.session_hash.as_deref()
    }

    /// The signed-in person's name as the header shows it.
    pub fn user_name(&self) -> &str {
        self.user
            .as_ref()
            .map_or("", |u| u.principal.display_name.as_str())
    }

    /// The menu entries this visitor sees.
    pub fn menu_items(&self) -> Vec<&MenuItem> {
        let signed_in = self.user.is_some();
        let role = self.user.as_ref().map(|u| u.principal.role.as_str());
        self.menu
            .iter()
            .filter(|m| signed_in || !m.signed_in)
            .filter(|m| m.roles.is_empty() || role.is_some_and(|r| m.roles.contains(&r)))
            .collect()
    }

    /// Whether `href` is the menu entry of the current page.
    pub fn current(&self, href: &str) -> bool {
        let path = self.path.split('?').next().unwrap_or_default();
        if href == "/" {
            path == "/"
        } else {
            path == href || path.starts_with(&format!("{href}/"))
        }
    }

    /// This page in the other language.
    pub fn other_lang_href(&self) -> String {
        let (path, query) = self.path.split_once('?').unwrap_or((&self.path, ""));
        let kept: Vec<&str> = query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("lang="))
            .collect();
        let other = self.lang.other().code();
        if kept.is_empty() {
            format!("{path}?lang={other}")
        } else {
            format!("{path}?{}&lang={other}", kept.join("&"))
        }
    }
}

impl FromRequest for Page {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let visit = visit_of(&req);
            let console = console_of(&req)?;
            let core = req
                .app_data::<web::Data<Core>>()
                .cloned()
                .ok_or_else(|| PageError::internal("Core missing from app data"))?;
            let token = req
                .cookie(&console.session_cookie())
                .map(|c| c.value().to_owned())
                .filter(|v| token_shape(v));
            let signed_in = match token {
                Some(token) => match auth::resolve(&req, &core, &token).await {
                    Ok(a) => Some(a),
                    Err(e) if e.status() == actix_web::http::StatusCode::UNAUTHORIZED => None,
                    Err(e) => return Err(e.into()),
                },
                None => None,
            };
            let must_change_password = signed_in.as_ref().is_some_and(|a| a.must_change_password);
            if must_change_password && !first_login_page(req.path()) {
                return Err(PageError::ChangePassword);
            }
            let (user, session_hash) = match signed_in {
                Some(Auth {
                    caller, token_hash, ..
                }) => {
                    let hash = &token_hash;
                    core.db
                        .query(|conn| {
                            frt_store::identities::touch_session(conn, hash).scope_boxed()
                        })
                        .await
                        .map_err(crate::ApiError::from)?;
                    (Some(caller), Some(token_hash))
                }
                None => (None, None),
            };
            let path = match req.query_string() {
                "" => req.path().to_owned(),
                q => format!("{}?{q}", req.path()),
            };
            Ok(Page {
                lang: visit.lang,
                csrf: visit.csrf,
                path,
                user,
                menu: console.menu,
                session_hash,
                must_change_password,
            })
        })
    }
}

fn visit_of(req: &HttpRequest) -> Visit {
    req.extensions()
        .get::<Visit>()
        .cloned()
        .unwrap_or_else(|| Visit {
            lang: Lang::default(),
            csrf: String::new(),
        })
}

fn console_of(req: &HttpRequest) -> Result<web::Data<Console>, PageError> {
    req.app_data::<web::Data<Console>>()
        .cloned()
        .ok_or_else(|| PageError::internal("Console missing from app data"))
}

/// Whether `given` is the request's CSRF token (compared in constant time); a 403 page
/// otherwise.
pub fn check_csrf(req: &HttpRequest, given: &str) -> Result<(), PageError> {
    let expected = visit_of(req).csrf;
    let same = !expected.is_empty()
        && given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same {
        Ok(())
    } else {
        Err(PageError::Csrf)
    }
}

/// A form posted as `application/x-www-form-urlencoded`, read within `http.json_limit_bytes`,
/// whose `csrf` field must be the request's token: otherwise a 403 page and the handler never
/// runs. Fields are read with serde; unknown fields are ignored as browsers send buttons too.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let form_type = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
            if !form_type {
                return Err(PageError::Api(crate::ApiError::new(
                    actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "request.content_type",
                    "a form is sent as application/x-www-form-urlencoded",
                )));
            }
            let limit = req
                .app_data::<crate::extract::BodyLimit>()
                .map_or(262_144, |l| l.0);
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    PageError::Api(crate::ApiError::bad_request(
                        "request.unreadable",
                        e.to_string(),
                    ))
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(PageError::Api(crate::ApiError::new(
                        actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                        "request.too_large",
                        "the form is larger than accepted",
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            let pairs: Vec<(String, String)> =
                serde_urlencoded::from_bytes(&body).map_err(|_| PageError::Csrf)?;
            let token = pairs
                .iter()
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.as_str())
                .unwrap_or_default();
            check_csrf(&req, token)?;
            let form = serde_urlencoded::from_bytes(&body).map_err(|e| {
                PageError::Api(crate::ApiError::bad_request(
                    "request.invalid_form",
                    format!("the form cannot be read: {e}"),
                ))
            })?;
            Ok(Form(form))
        })
    }
}
