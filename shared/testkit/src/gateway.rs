//! A reverse proxy in front of a service, as a provincial deployment's gateway or load
//! balancer is: it listens on 127.0.0.1, forwards every request from another loopback address
//! of its own (so the service sees the gateway, not the client, as its peer), and appends the
//! address it received the request from to `X-Forwarded-For`. Clients with addresses of
//! their own are `reqwest` clients bound to other loopback addresses (`client_from`).

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};
use std::net::IpAddr;

pub struct Gateway {
    /// Where clients send requests (`http://127.0.0.1:<port>`).
    pub url: String,
    handle: actix_web::dev::ServerHandle,
}

struct Upstream {
    base: String,
    http: reqwest::Client,
}

/// Headers that belong to one connection, not to the request forwarded.
const HOP_BY_HOP: [&str; 6] = [
    "connection",
    "keep-alive",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
];

async fn forward(req: HttpRequest, body: web::Bytes, up: web::Data<Upstream>) -> HttpResponse {
    let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes()).unwrap_or_default();
    let mut out = up.http.request(method, format!("{}{path}", up.base));
    let mut forwarded_for = None;
    for (name, value) in req.headers() {
        let n = name.as_str();
        if n == "x-forwarded-for" {
            forwarded_for = value.to_str().ok().map(str::to_owned);
        } else if !HOP_BY_HOP.contains(&n) {
            out = out.header(n, value.as_bytes());
        }
    }
    let peer = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let chain = match forwarded_for {
        Some(earlier) => format!("{earlier}, {peer}"),
        None => peer,
    };
    let answer = match out
        .header("x-forwarded-for", chain)
        .body(body.to_vec())
        .send()
        .await
    {
        Ok(a) => a,
        Err(e) => return HttpResponse::BadGateway().body(e.to_string()),
    };
    let mut back = HttpResponse::build(
        actix_web::http::StatusCode::from_u16(answer.status().as_u16())
            .unwrap_or(actix_web::http::StatusCode::BAD_GATEWAY),
    );
    for (name, value) in answer.headers() {
        if HOP_BY_HOP.contains(&name.as_str()) {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_str().as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            back.append_header((n, v));
        }
    }
    back.body(answer.bytes().await.unwrap_or_default())
}

impl Gateway {
    /// A gateway in front of `upstream` (e.g. `http://127.0.0.1:8081`) that connects to it
    /// from `from` (a loopback address other than 127.0.0.1, e.g. 127.0.0.2).
    pub async fn start(upstream: &str, from: IpAddr) -> Self {
        let http = reqwest::Client::builder()
            .local_address(from)
            .build()
            .expect("the gateway's client");
        let data = web::Data::new(Upstream {
            base: upstream.trim_end_matches('/').to_owned(),
            http,
        });
        let server = actix_web::HttpServer::new(move || {
            actix_web::App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(64 * 1024 * 1024))
                .default_service(web::to(forward))
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .expect("bind the gateway");
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            url: format!("http://127.0.0.1:{port}"),
            handle,
        }
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

/// A client whose requests come from the loopback address `ip` (127.0.0.0/8 is all local).
pub fn client_from(ip: IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip)
        .build()
        .expect("a client with its own address")
}
