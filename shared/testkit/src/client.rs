//! The platform seen from outside, over HTTP only: both services' addresses, the test clock
//! a scenario may run on, and the helpers tests use to log in, register, draft, upload and
//! submit. In-process tests and acceptance runs against a deployment share it.

use crate::app::{valid_uscc, PASSWORD, PDF};
use serde_json::{json, Value};

/// The header naming a scenario's test clock (outside production only).
pub const CLOCK_HEADER: &str = "X-FRT-Test-Clock";
/// The header carrying the deployment's QA token.
pub const QA_TOKEN_HEADER: &str = "X-QA-Token";

#[derive(Clone)]
pub struct Client {
    pub portal: String,
    pub casework: String,
    pub http: reqwest::Client,
    /// The test clock every request names, once a scenario set one, with the QA token that
    /// makes the service read it.
    pub clock: Option<TestClock>,
    /// The deployment's QA token, for the test-support API (confirming a registration's
    /// address where the suite cannot read the mail).
    pub qa_token: Option<String>,
}

/// A scenario's test clock as its requests name it.
#[derive(Debug, Clone)]
pub struct TestClock {
    pub scope: String,
    pub qa_token: String,
}

impl Client {
    pub fn new(portal: String, casework: String) -> Self {
        Self {
            portal,
            casework,
            http: reqwest::Client::new(),
            clock: None,
            qa_token: None,
        }
    }

    /// The same client, with the deployment's QA token.
    pub fn with_qa_token(mut self, token: &str) -> Self {
        self.qa_token = Some(token.to_owned());
        self
    }

    /// A request carrying the test clock's name, if one is set.
    pub fn request(
        &self,
        method: reqwest::Method,
        url: impl reqwest::IntoUrl,
    ) -> reqwest::RequestBuilder {
        let req = self.http.request(method, url);
        match &self.clock {
            Some(c) => req
                .header(CLOCK_HEADER, &c.scope)
                .header(QA_TOKEN_HEADER, &c.qa_token),
            None => req,
        }
    }

    /// Logs in and returns the bearer token; panics with the response if refused.
    pub async fn login(&self, base: &str, email: &str, password: &str) -> String {
        let r = self
            .request(reqwest::Method::POST, format!("{base}/api/v1/auth/login"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("login request");
        let status = r.status();
        let body: Value = r.json().await.expect("login body");
        assert!(
            status.is_success(),
            "login of {email} failed: {status} {body}"
        );
        body["token"].as_str().expect("token").to_owned()
    }

    /// Registers a processor with a valid USCC in `province`, confirms the admin's address
    /// through the test-support API (the client's QA token), and returns the admin's token and
    /// the organisation id.
    pub async fn register_processor(&self, name: &str, province: &str) -> (String, String) {
        let email = self.register_unconfirmed(name, province).await;
        self.confirm_address(&email).await;
        self.signed_in_admin(&email).await
    }

    /// Registers a processor with a valid USCC in `province` and answers the admin's address,
    /// still to be confirmed.
    pub async fn register_unconfirmed(&self, name: &str, province: &str) -> String {
        let uscc = valid_uscc(province);
        let email = format!("admin-{}@{}.example", &uscc[8..16].to_lowercase(), province);
        let r = self
            .request(
                reqwest::Method::POST,
                format!("{}/api/v1/registrations", self.portal),
            )
            .json(&json!({
                "organisation": {
                    "name": name, "uscc": uscc, "contact_person": "张三",
                    "contact_email": email, "contact_phone": "+86 21 5555 0100"
                },
                "admin": { "email": email, "display_name": "张三", "password": PASSWORD }
            }))
            .send()
            .await
            .expect("register");
        let status = r.status();
        let body: Value = r.json().await.expect("body");
        assert_eq!(status.as_u16(), 202, "registration failed: {body}");
        email
    }

    /// Confirms a registration's address through the test-support API, as the mailed link
    /// would.
    pub async fn confirm_address(&self, email: &str) {
        let qa = self
            .qa_token
            .as_deref()
            .expect("confirming an address needs the deployment's QA token");
        let r = self
            .http
            .post(format!(
                "{}/api/v1/test-support/address-confirmations",
                self.casework
            ))
            .header(QA_TOKEN_HEADER, qa)
            .json(&json!({ "email": email }))
            .send()
            .await
            .expect("confirm the address");
        assert_eq!(r.status().as_u16(), 204, "address confirmation of {email}");
    }

    /// Logs in a confirmed admin and answers the token and the organisation id.
    pub async fn signed_in_admin(&self, email: &str) -> (String, String) {
        let token = self.login(&self.portal, email, PASSWORD).await;
        let (s, org) = self
            .call(
                reqwest::Method::GET,
                &format!("{}/api/v1/organisation", self.portal),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(s, 200, "{org}");
        let id = org["id"].as_str().expect("organisation id").to_owned();
        (token, id)
    }

    /// Sends a request with a bearer token and returns (status, JSON body or Null).
    pub async fn call(
        &self,
        method: reqwest::Method,
        url: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let (status, _, body) = self.call_with_headers(method, url, token, body).await;
        (status, body)
    }

    /// As `call`, with the answer's headers.
    pub async fn call_with_headers(
        &self,
        method: reqwest::Method,
        url: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut req = self.request(method, url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::Null),
        )
    }

    /// Uploads one material; returns (status, body).
    pub async fn upload(
        &self,
        token: &str,
        filing: &str,
        kind: &str,
        bytes: Vec<u8>,
        filename: &str,
    ) -> (u16, Value) {
        let form = reqwest::multipart::Form::new()
            .text("kind", kind.to_owned())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(filename.to_owned()),
            );
        let r = self
            .request(
                reqwest::Method::POST,
                format!("{}/api/v1/filings/{filing}/attachments", self.portal),
            )
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Creates a complete draft of `kind` (form from `example_complete`, every required
    /// material uploaded) and returns its id; does not submit.
    /// An empty draft of the initial filing of the processor behind `token`: its id.
    pub async fn initial_draft(&self, token: &str) -> String {
        let (s, b) = self
            .call(
                reqwest::Method::POST,
                &format!("{}/api/v1/filings", self.portal),
                Some(token),
                Some(serde_json::json!({ "kind": "initial" })),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        b["id"].as_str().expect("the draft's id").to_owned()
    }

    pub async fn complete_draft(
        &self,
        token: &str,
        kind: &str,
        trigger: chrono::NaiveDate,
        previous: Option<&str>,
    ) -> String {
        let k: frt_domain::filing::FilingKind = kind.parse().expect("kind");
        let form = frt_domain::form::example_complete(k, trigger);
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                &format!("{}/api/v1/filings", self.portal),
                Some(token),
                Some(json!({ "kind": kind, "previous_filing_id": previous, "form": form })),
            )
            .await;
        assert_eq!(status, 201, "create filing: {body}");
        let id = body["id"].as_str().expect("id").to_owned();
        for a in frt_domain::form::example_attachments(k) {
            let (s, b) = self
                .upload(
                    token,
                    &id,
                    a.as_str(),
                    PDF.to_vec(),
                    &format!("{}.pdf", a.as_str()),
                )
                .await;
            assert_eq!(s, 201, "upload {}: {b}", a.as_str());
        }
        id
    }

    /// Submits a filing; returns (status, body).
    pub async fn submit(&self, token: &str, filing: &str, key: Option<&str>) -> (u16, Value) {
        let mut req = self
            .request(
                reqwest::Method::POST,
                format!("{}/api/v1/filings/{filing}/submit", self.portal),
            )
            .bearer_auth(token);
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        let r = req.send().await.expect("submit");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Makes a staff account through the test-support API and returns its token from
    /// casework.
    pub async fn staff_via_qa(
        &self,
        qa_token: &str,
        kind: frt_access::AgencyKind,
        province: Option<&str>,
        role: frt_access::Role,
    ) -> String {
        let email = self
            .staff_account_via_qa(qa_token, kind, province, role)
            .await;
        self.login(&self.casework, &email, PASSWORD).await
    }

    /// Creates a staff account (password [`PASSWORD`]) through the test-support API, without
    /// logging in; its email.
    pub async fn staff_account_via_qa(
        &self,
        qa_token: &str,
        kind: frt_access::AgencyKind,
        province: Option<&str>,
        role: frt_access::Role,
    ) -> String {
        let r = self
            .request(
                reqwest::Method::POST,
                format!("{}/api/v1/test-support/staff", self.casework),
            )
            .header(QA_TOKEN_HEADER, qa_token)
            .json(&json!({
                "agency_kind": kind.as_str(),
                "province": province,
                "role": role.as_str(),
                "password": PASSWORD,
            }))
            .send()
            .await
            .expect("test-support staff");
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(status.as_u16(), 201, "test-support staff: {body}");
        body["email"].as_str().expect("email").to_owned()
    }

    /// GET `path` from casework with a bearer token: (status, JSON body or Null).
    pub async fn casework_get(&self, token: &str, path: &str) -> (u16, Value) {
        let url = format!("{}{path}", self.casework);
        self.call(reqwest::Method::GET, &url, Some(token), None)
            .await
    }

    /// POST a JSON body to `path` in casework with a bearer token.
    pub async fn casework_post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        let url = format!("{}{path}", self.casework);
        self.call(reqwest::Method::POST, &url, Some(token), Some(body))
            .await
    }

    /// GET `path` from the portal, with a bearer token if given.
    pub async fn portal_get(&self, token: Option<&str>, path: &str) -> (u16, Value) {
        let url = format!("{}{path}", self.portal);
        self.call(reqwest::Method::GET, &url, token, None).await
    }

    /// POST a JSON body to `path` in the portal, with a bearer token if given.
    pub async fn portal_post(&self, token: Option<&str>, path: &str, body: Value) -> (u16, Value) {
        let url = format!("{}{path}", self.portal);
        self.call(reqwest::Method::POST, &url, token, Some(body))
            .await
    }

    /// The agency of a staff account, as `/api/v1/me` in casework names it.
    pub async fn agency_of(&self, token: &str) -> uuid::Uuid {
        let (status, me) = self.casework_get(token, "/api/v1/me").await;
        me["agency_id"]
            .as_str()
            .and_then(|a| uuid::Uuid::parse_str(a).ok())
            .unwrap_or_else(|| panic!("no agency in /me ({status}): {me}"))
    }

    /// A GET whose answer is a file: the status and the bytes.
    pub async fn get_bytes(&self, token: &str, url: &str) -> (u16, Vec<u8>) {
        let r = self
            .request(reqwest::Method::GET, url.to_owned())
            .bearer_auth(token)
            .send()
            .await
            .expect("send");
        let status = r.status().as_u16();
        (
            status,
            r.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
        )
    }
}

/// The machine-readable `code` of a problem answer ("" when there is none).
pub fn code(body: &Value) -> &str {
    body["code"].as_str().unwrap_or_default()
}

/// The day `n` days before today in China.
pub fn days_ago(n: i64) -> chrono::NaiveDate {
    frt_cases::today_in_china() - chrono::Duration::days(n)
}

/// A request to the exchange service at `base`, signed as a client's system signs it
/// (`X-FRT-Key`, `X-FRT-Timestamp`, `X-FRT-Signature`); answers (status, JSON body).
pub async fn signed(
    base: &str,
    key_id: &str,
    secret: &str,
    method: reqwest::Method,
    path_and_query: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let raw = body.map(Value::to_string).unwrap_or_default();
    let ts = chrono::Utc::now().timestamp().to_string();
    let sig = frt_access::signing::sign(
        secret,
        &frt_access::signing::canonical(method.as_str(), path_and_query, &ts, raw.as_bytes()),
    );
    let mut req = reqwest::Client::new()
        .request(method, format!("{base}{path_and_query}"))
        .header("X-FRT-Key", key_id)
        .header("X-FRT-Timestamp", ts)
        .header("X-FRT-Signature", sig);
    if body.is_some() {
        req = req.header("content-type", "application/json").body(raw);
    }
    let r = req.send().await.expect("a signed request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}
