//! The console in a real browser (headless Chromium over WebDriver): what a person sees and
//! does on the portal's pages. Every page the browser lands on is checked with axe (no serious
//! or critical violation) and walked with the keyboard (every control reachable by Tab).

use crate::support::FrtWorld;
use cucumber::{given, then, when};
use frt_testkit::app::PASSWORD;
use frt_testkit::browser::Browser;

impl FrtWorld {
    pub(crate) fn browser(&self) -> &Browser {
        self.browser
            .as_ref()
            .expect("no browser: begin with 'Given a browser'")
    }

    fn portal_url(&self, path: &str) -> String {
        format!("{}{path}", self.client().portal)
    }

    async fn open_casework_page(&mut self, path: &str) {
        let url = format!("{}{path}", self.client().casework);
        self.browser().goto(&url).await.expect("page");
        self.check_page().await;
    }

    /// Checks the page the browser is on, once per address: axe, then the keyboard.
    pub(crate) async fn check_page(&mut self) {
        let b = self.browser();
        let url = b.url().await;
        let key = url.split('#').next().unwrap_or_default().to_owned();
        if self.checked_pages.contains(&key) {
            return;
        }
        let mut found = Vec::new();
        match b.check().await {
            Ok((violations, unreachable)) => {
                found.extend(violations.into_iter().map(|v| format!("{key}: {v}")));
                found.extend(
                    unreachable
                        .into_iter()
                        .map(|m| format!("{key}: not reachable by keyboard: {m}")),
                );
            }
            Err(e) => found.push(format!("{key}: {e}")),
        }
        self.checked_pages.push(key);
        self.page_problems.extend(found);
    }

    async fn open_page(&mut self, path: &str) {
        let url = self.portal_url(path);
        self.browser().goto(&url).await.expect("page");
        self.check_page().await;
    }

    async fn main_text(&self) -> String {
        self.browser().main_text().await
    }
}

#[given(regex = r"^a browser(?: with JavaScript (on|off))?$")]
async fn a_browser(w: &mut FrtWorld, js: String) {
    let javascript = js != "off";
    let b = Browser::open(javascript)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    w.browser = Some(b);
}

#[when(expr = "they open the portal page {string}")]
async fn open_portal_page(w: &mut FrtWorld, path: String) {
    w.open_page(&path).await;
}

#[when(expr = "they follow the link {string}")]
async fn follow_link(w: &mut FrtWorld, text: String) {
    let text = text.replace("{unique}", &w.unique);
    w.browser()
        .follow(&text)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    w.check_page().await;
}

#[when(expr = "they fill in {string} with {string}")]
pub(crate) async fn fill_in(w: &mut FrtWorld, field: String, text: String) {
    let text = text.replace("{unique}", &w.unique);
    w.browser()
        .fill(&field, &text)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

#[when(expr = "they choose {string} for {string}")]
async fn choose(w: &mut FrtWorld, value: String, field: String) {
    w.browser()
        .choose(&field, &value)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

#[when(expr = "they press {string}")]
pub(crate) async fn press(w: &mut FrtWorld, label: String) {
    w.browser()
        .press(&label)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    w.check_page().await;
}

#[then(expr = "the page says {string}")]
async fn page_says(w: &mut FrtWorld, text: String) {
    let text = text.replace("{unique}", &w.unique);
    let main = w.main_text().await;
    assert!(
        main.contains(&text),
        "the page does not say {text:?}:\n{main}"
    );
}

#[then(expr = "the page does not say {string}")]
async fn page_does_not_say(w: &mut FrtWorld, text: String) {
    let main = w.main_text().await;
    assert!(!main.contains(&text), "the page says {text:?}:\n{main}");
}

#[then(expr = "the page's title is {string}")]
async fn page_title(w: &mut FrtWorld, title: String) {
    let h1 = w
        .browser()
        .client
        .find(frt_testkit::browser::Locator::Css("main h1"))
        .await
        .expect("a heading");
    assert_eq!(h1.text().await.expect("text"), title);
}

#[then(expr = "they note the {string} shown")]
async fn note(w: &mut FrtWorld, id: String) {
    let text = w
        .browser()
        .text_of(&id)
        .await
        .unwrap_or_else(|| panic!("nothing with id {id} on the page"));
    assert!(!text.trim().is_empty(), "{id} is empty");
    w.noted.insert(id, text.trim().to_owned());
}

#[when(expr = "they fill in {string} with the noted {string}")]
async fn fill_in_noted(w: &mut FrtWorld, field: String, id: String) {
    let text = w.noted.get(&id).cloned().expect("noted earlier");
    fill_in(w, field, text).await;
}

#[when(expr = "the portal admin of {string} logs in through the login page")]
async fn admin_logs_in(w: &mut FrtWorld, name: String) {
    let email = w
        .processors
        .get(&name)
        .unwrap_or_else(|| panic!("no processor {name}"))
        .email
        .clone();
    w.open_page("/login").await;
    fill_in(w, "email".into(), email).await;
    fill_in(w, "password".into(), PASSWORD.into()).await;
    press(w, "登录".into()).await;
}

#[when("the form's CSRF token is taken out before it is sent")]
async fn token_taken_out(w: &mut FrtWorld) {
    w.browser()
        .client
        .execute(
            "document.querySelectorAll('main form input[name=csrf]').forEach(e => e.remove());",
            vec![],
        )
        .await
        .expect("remove the token");
}

#[then("the page shows the time limits of the filing, each with why its date")]
async fn time_limits_explained(w: &mut FrtWorld) {
    let b = w.browser();
    let why = b
        .client
        .find_all(frt_testkit::browser::Locator::Css(
            "section.deadline details summary",
        ))
        .await
        .expect("deadlines");
    assert!(!why.is_empty(), "no time limit is explained");
    // Opening the explanation shows the days skipped.
    why[0].click().await.expect("open");
    let text = w.main_text().await;
    assert!(text.contains("个工作日后是"), "{text}");
}

#[then("no page visited has a serious or critical accessibility violation, and every control is reachable by keyboard")]
async fn pages_accessible(w: &mut FrtWorld) {
    assert!(!w.checked_pages.is_empty(), "no page was checked");
    assert!(
        w.page_problems.is_empty(),
        "on {} pages:\n{}",
        w.checked_pages.len(),
        w.page_problems.join("\n")
    );
}

#[when("a field without a label and a link the keyboard skips are put on the page")]
async fn spoil_page(w: &mut FrtWorld) {
    w.browser()
        .client
        .execute(
            "const main = document.querySelector('main');
             const i = document.createElement('input'); i.type = 'text'; i.id = 'nameless';
             const a = document.createElement('a'); a.href = '/'; a.textContent = 'skipped';
             a.tabIndex = -1; a.id = 'skipped';
             main.append(i, a);",
            vec![],
        )
        .await
        .expect("change the page");
}

#[then("the page check finds the field without a label and the skipped link")]
async fn check_finds_them(w: &mut FrtWorld) {
    let (violations, unreachable) = w.browser().check().await.expect("check");
    assert!(
        violations
            .iter()
            .any(|v| v.id == "label" && v.targets.iter().any(|t| t.contains("nameless"))),
        "{violations:?}"
    );
    assert!(
        unreachable.iter().any(|u| u.contains("skipped")),
        "{unreachable:?}"
    );
}

impl FrtWorld {
    /// The filing the browser shows (its id, from the address).
    async fn filing_in_browser(&self) -> String {
        let url = self.browser().url().await;
        url.split("/filings/")
            .nth(1)
            .and_then(|rest| rest.split(['/', '?', '#']).next())
            .expect("the browser shows a filing")
            .to_owned()
    }

    /// Fills in the inputs of the section page shown from `value` (the section's JSON).
    async fn fill_section(&self, value: &serde_json::Value, prefix: &str) {
        use frt_web::console::filing_form::id_of;
        let Some(object) = value.as_object() else {
            return;
        };
        for (name, v) in object {
            let path = format!("{prefix}{name}");
            let id = id_of(&path);
            match v {
                serde_json::Value::Null => {}
                serde_json::Value::Object(_) => {
                    Box::pin(self.fill_section(v, &format!("{path}."))).await
                }
                serde_json::Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        match item {
                            serde_json::Value::String(choice) => {
                                let cid =
                                    format!("{id}-{}", id_of(choice).trim_start_matches("f-"));
                                let tick = self
                                    .browser()
                                    .client
                                    .find(frt_testkit::browser::Locator::Id(&cid))
                                    .await
                                    .unwrap_or_else(|e| panic!("no checkbox {cid}: {e}"));
                                if !tick.is_selected().await.unwrap_or(false) {
                                    tick.click().await.expect("tick");
                                }
                            }
                            row => Box::pin(self.fill_section(row, &format!("{path}[{i}]."))).await,
                        }
                    }
                }
                serde_json::Value::Bool(b) => {
                    self.browser()
                        .choose(&id, if *b { "true" } else { "false" })
                        .await
                        .unwrap_or_else(|e| panic!("{e}"));
                }
                serde_json::Value::String(s) => {
                    let is_select = self
                        .browser()
                        .client
                        .find(frt_testkit::browser::Locator::Css(&format!("select#{id}")))
                        .await
                        .is_ok();
                    if is_select {
                        self.browser()
                            .choose(&id, s)
                            .await
                            .unwrap_or_else(|e| panic!("{e}"));
                    } else {
                        self.browser()
                            .fill(&id, s)
                            .await
                            .unwrap_or_else(|e| panic!("{e}"));
                    }
                }
                serde_json::Value::Number(n) => {
                    self.browser()
                        .fill(&id, &n.to_string())
                        .await
                        .unwrap_or_else(|e| panic!("{e}"));
                }
            }
        }
    }
}

/// Registers through the page and confirms the address through the test-support API (the
/// mailed link's own walk is in portal_registration.feature).
#[when(expr = "they register {string} through the registration page")]
async fn register_through_page(w: &mut FrtWorld, name: String) {
    let uscc = frt_testkit::app::valid_uscc("310000");
    let email = register_on_page(w, &name, &uscc).await;
    w.client().confirm_address(&email).await;
}

#[when(
    expr = "they register {string} through the registration page, leaving the address to confirm"
)]
async fn register_through_page_unconfirmed(w: &mut FrtWorld, name: String) {
    let uscc = frt_testkit::app::valid_uscc("310000");
    register_on_page(w, &name, &uscc).await;
}

#[when(expr = "they register {string} through the registration page with the USCC of {string}")]
async fn register_claim_through_page(w: &mut FrtWorld, name: String, holder: String) {
    let uscc = w
        .noted
        .get(&format!("uscc of {holder}"))
        .cloned()
        .unwrap_or_else(|| w.processor(&holder).uscc.clone());
    register_on_page(w, &name, &uscc).await;
}

/// Fills in and sends the registration page; answers the admin's address.
async fn register_on_page(w: &mut FrtWorld, name: &str, uscc: &str) -> String {
    let uscc = uscc.to_owned();
    // Its own address, even for a second claim on the same code.
    let email = format!(
        "{}-{}@{}.example",
        &uscc[8..16].to_lowercase(),
        &uuid::Uuid::now_v7().simple().to_string()[24..],
        w.unique
    );
    w.open_page("/register").await;
    for (field, value) in [
        ("name", name),
        ("uscc", &uscc),
        ("contact_person", "张三"),
        ("contact_email", &email),
        ("contact_phone", "+86 21 5555 0100"),
        ("admin_email", &email),
        ("display_name", "张三"),
        ("password", PASSWORD),
    ] {
        fill_in(w, field.into(), value.into()).await;
    }
    press(w, "注册".into()).await;
    page_says(w, "请查收邮件".into()).await;
    w.noted.insert(format!("email of {name}"), email.clone());
    w.noted.insert(format!("uscc of {name}"), uscc);
    email
}

#[when(expr = "they log in through the login page as the admin of {string}")]
async fn log_in_as_registered(w: &mut FrtWorld, name: String) {
    let email = w
        .noted
        .get(&format!("email of {name}"))
        .cloned()
        .expect("registered through the page");
    w.open_page("/login").await;
    fill_in(w, "email".into(), email).await;
    fill_in(w, "password".into(), PASSWORD.into()).await;
    press(w, "登录".into()).await;
}

#[when(
    regex = r"^they fill in every section of a complete (initial|change|deregistration) filing(?:, typing (\S+) as the number of devices at first)?$"
)]
async fn fill_every_section(w: &mut FrtWorld, kind: String, wrong_count: String) {
    let k: frt_domain::filing::FilingKind = kind.parse().expect("kind");
    let form = serde_json::to_value(frt_domain::form::example_complete(
        k,
        frt_testkit::days_ago(10),
    ))
    .expect("form");
    let id = w.filing_in_browser().await;
    for section in frt_web::console::filing_form::sections_for(&kind) {
        w.open_page(&format!("/filings/{id}/edit/{section}")).await;
        let mut value = form[section].clone();
        // Rows first: each "add an entry" saves the section and draws one more row.
        let rows = value["device_locations"].as_array().map_or(0, Vec::len);
        for _ in 0..rows {
            w.browser()
                .click("button[value='add:device_locations']")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        if section == "purposes" && !wrong_count.is_empty() {
            value["device_locations"][0]["device_count"] = serde_json::json!(wrong_count);
        }
        w.fill_section(&value, "").await;
        press(w, "保存草稿".into()).await;
        if section == "purposes" && !wrong_count.is_empty() {
            // The problem is shown beside the field, with what was typed kept; corrected, it
            // saves.
            page_says(w, "请更正以下问题".into()).await;
            let kept = w
                .browser()
                .client
                .find(frt_testkit::browser::Locator::Id(
                    "f-device_locations-0--device_count",
                ))
                .await
                .expect("the field")
                .prop("value")
                .await
                .expect("value");
            assert_eq!(kept.as_deref(), Some(wrong_count.as_str()));
            w.fill_section(&form[section], "").await;
            press(w, "保存草稿".into()).await;
        }
        page_says(w, "已保存为草稿".into()).await;
    }
}

/// Chooses `file` in the file field `css` and sends its form without waiting for a new page
/// (with JavaScript the upload goes in the background, its progress shown).
async fn send_file(w: &FrtWorld, css: &str, file: &std::path::Path) {
    w.browser()
        .client
        .find(frt_testkit::browser::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no file field {css}: {e}"))
        .send_keys(&file.to_string_lossy())
        .await
        .expect("choose the file");
    w.browser()
        .click_here("form[enctype] button[type=submit]")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

async fn materials_shown(w: &FrtWorld) -> usize {
    w.browser()
        .client
        .find_all(frt_testkit::browser::Locator::Css("#materials + ul li"))
        .await
        .map_or(0, |v| v.len())
}

#[when(regex = r"^they upload every material an? (initial|change|deregistration) filing needs$")]
async fn upload_materials(w: &mut FrtWorld, kind: String) {
    let id = w.filing_in_browser().await;
    let file = std::env::temp_dir().join(format!("frt-material-{}.pdf", w.unique));
    std::fs::write(&file, frt_testkit::app::PDF).expect("a PDF");
    let k: frt_domain::filing::FilingKind = kind.parse().expect("kind");
    for material in frt_domain::form::example_attachments(k) {
        w.open_page(&format!("/filings/{id}")).await;
        let before = materials_shown(w).await;
        w.browser()
            .choose("material-kind", material.as_str())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        send_file(w, "#material-file", &file).await;
        // With JavaScript the upload goes in the background, its progress shown, and the
        // page then shows the filing again with one more material.
        let mut after = before;
        for _ in 0..200 {
            after = materials_shown(w).await;
            if after > before {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(after, before + 1, "{} was not uploaded", material.as_str());
    }
    let _ = std::fs::remove_file(&file);
    w.open_page(&format!("/filings/{id}")).await;
}

#[when("they open the page of the filing")]
async fn open_filing_page(w: &mut FrtWorld) {
    let id = w.filing_id();
    w.open_page(&format!("/filings/{id}")).await;
}

#[then("the receipt shows the filing number issued")]
async fn receipt_shows_number(w: &mut FrtWorld) {
    let issued = w.filing_number.clone().expect("a filing number was issued");
    let shown = w.browser().text_of("receipt-filing-number").await;
    assert_eq!(shown.as_deref().map(str::trim), Some(issued.as_str()));
}

#[when("they follow the receipt's verification link, as anyone scanning its QR code would")]
async fn follow_verification(w: &mut FrtWorld) {
    let link = w
        .browser()
        .client
        .find(frt_testkit::browser::Locator::Id("verify-link"))
        .await
        .expect("the verification link")
        .attr("href")
        .await
        .expect("href")
        .expect("an address");
    // Someone else's browser: nobody signed in.
    let other = Browser::open(false).await.unwrap_or_else(|e| panic!("{e}"));
    if let Some(old) = w.browser.replace(other) {
        old.close().await;
    }
    w.browser().goto(&link).await.expect("verify page");
    w.check_page().await;
}

#[then("the receipt's QR code is on the page")]
async fn qr_on_page(w: &mut FrtWorld) {
    let svg = w
        .browser()
        .client
        .find_all(frt_testkit::browser::Locator::Css("figure.qr svg"))
        .await
        .map_or(0, |v| v.len());
    assert_eq!(svg, 1, "no QR code");
}

#[when(expr = "they tick {string}")]
async fn tick(w: &mut FrtWorld, id: String) {
    w.browser()
        .client
        .find(frt_testkit::browser::Locator::Id(&id))
        .await
        .unwrap_or_else(|e| panic!("nothing with id {id}: {e}"))
        .click()
        .await
        .expect("tick");
}

#[then(expr = "the field {string} holds the recorded filing's {string}")]
async fn field_holds_recorded(w: &mut FrtWorld, field: String, path: String) {
    let record = w.recorded.clone().expect("a recorded filing");
    let owner = w.owner_of_filing();
    let reply = w
        .send_as(
            &owner,
            reqwest::Method::GET,
            &format!("/api/v1/filings/{record}"),
            None,
        )
        .await;
    let mut v = &reply.body["form"];
    for part in path.split('.') {
        v = &v[part];
    }
    let expected = match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    assert!(
        !expected.is_empty() && expected != "null",
        "the record has no {path}"
    );
    let shown = w
        .browser()
        .client
        .find(frt_testkit::browser::Locator::Id(&field))
        .await
        .unwrap_or_else(|e| panic!("no field {field}: {e}"))
        .prop("value")
        .await
        .expect("value");
    assert_eq!(shown.as_deref(), Some(expected.as_str()));
}

#[when(expr = "they answer the request with {string} and the file {string}")]
async fn answer_request(w: &mut FrtWorld, text: String, filename: String) {
    w.open_page("/inspections").await;
    // The file first: an answer closes the request.
    let file = std::env::temp_dir().join(format!("{}-{filename}", w.unique));
    std::fs::write(&file, frt_testkit::app::PDF).expect("a PDF");
    let shown = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    send_file(w, "input[type=file]", &file).await;
    for _ in 0..200 {
        if w.main_text().await.contains(&shown) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = std::fs::remove_file(&file);
    w.noted.insert("material".into(), shown);
    let area = w
        .browser()
        .client
        .find(frt_testkit::browser::Locator::Css("textarea[name=answer]"))
        .await
        .expect("an answer field");
    area.send_keys(&text).await.expect("type the answer");
    press(w, "提交答复".into()).await;
}

#[then("the page lists the file they gave")]
async fn lists_file(w: &mut FrtWorld) {
    let name = w.noted.get("material").cloned().expect("a file was given");
    page_says(w, name).await;
}

#[when("they look up the complaint on the status page with its receipt number and access code")]
async fn look_up_in_browser(w: &mut FrtWorld) {
    let r = w
        .complaints
        .first()
        .cloned()
        .expect("a complaint was filed");
    let number = r["receipt_number"].as_str().expect("receipt").to_owned();
    let code = r["access_code"].as_str().expect("code").to_owned();
    w.open_page("/complaints/status").await;
    fill_in(w, "receipt_number".into(), number).await;
    fill_in(w, "access_code".into(), code).await;
    press(w, "查询".into()).await;
}

#[when(regex = r#"^they rate the handling "(满意|基本满意|不满意)" saying "(.*)"$"#)]
async fn rate_in_browser(w: &mut FrtWorld, rating: String, comment: String) {
    let value = match rating.as_str() {
        "满意" => "satisfied",
        "基本满意" => "basically_satisfied",
        _ => "dissatisfied",
    };
    tick(w, format!("rating-{value}")).await;
    fill_in(w, "comment".into(), comment).await;
    press(w, "提交评价".into()).await;
}

#[then(
    regex = r#"^"([^"]+)" finds the complaint among those rated (satisfied|basically_satisfied|dissatisfied)$"#
)]
async fn among_rated(w: &mut FrtWorld, name: String, rating: String) {
    let number = w.complaints.first().expect("a complaint")["receipt_number"]
        .as_str()
        .expect("receipt")
        .to_owned();
    let page = w
        .send_as(
            &name,
            reqwest::Method::GET,
            &format!("/api/v1/complaints?rating={rating}&limit=200"),
            None,
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let items = page.body["items"].as_array().cloned().unwrap_or_default();
    assert!(
        items.iter().any(|i| i["receipt_number"] == number.as_str()),
        "{number} is not among the complaints rated {rating}: {}",
        page.body
    );
}

#[when(expr = "they open the link in the latest mail to {string}")]
async fn open_mailed_link(w: &mut FrtWorld, name: String) {
    let to = crate::steps::mail::address_of(w, &name).await;
    let mails = w
        .mailbox()
        .to(&to, 1, std::time::Duration::from_secs(20))
        .await;
    let text = mails.last().expect("a mail").text();
    let link = text
        .split_whitespace()
        .find(|t| t.starts_with("http://") || t.starts_with("https://"))
        .unwrap_or_else(|| panic!("no link in {text}"))
        .to_owned();
    w.browser().goto(&link).await.expect("the mailed link");
    w.check_page().await;
}

#[when(
    expr = "they log in through the login page as the admin of {string} with the password {string}"
)]
async fn log_in_with(w: &mut FrtWorld, name: String, password: String) {
    let email = w.processor(&name).email.clone();
    w.open_page("/login").await;
    fill_in(w, "email".into(), email).await;
    fill_in(w, "password".into(), password).await;
    press(w, "登录".into()).await;
}

#[then(expr = "the API session of {string} has ended")]
async fn api_session_ended(w: &mut FrtWorld, name: String) {
    let reply = w
        .send_as(&name, reqwest::Method::GET, "/api/v1/me", None)
        .await;
    assert_eq!(reply.status, 401, "{}", reply.body);
}

#[then("the browser's session has ended")]
async fn browser_session_ended(w: &mut FrtWorld) {
    w.open_page("/filings").await;
    let url = w.browser().url().await;
    assert!(url.contains("/login?next="), "still signed in: {url}");
}

#[when(expr = "they fill in {string} with the email of {string}")]
async fn fill_in_email_of(w: &mut FrtWorld, field: String, name: String) {
    let email = w.processor(&name).email.clone();
    fill_in(w, field, email).await;
}

#[when(expr = "{string} signs in to casework through the login page")]
async fn staff_sign_in(w: &mut FrtWorld, name: String) {
    let email = crate::steps::accounts::staff_email(w, &name).await;
    w.open_casework_page("/login").await;
    fill_in(w, "email".into(), email).await;
    fill_in(w, "password".into(), PASSWORD.into()).await;
    press(w, "登录".into()).await;
}

#[when(expr = "they open the casework page {string}")]
async fn open_casework(w: &mut FrtWorld, path: String) {
    w.open_casework_page(&path).await;
}

#[when(expr = "they filter the workbench by the USCC of {string}")]
async fn filter_by_uscc(w: &mut FrtWorld, name: String) {
    let uscc = w.processor(&name).uscc.clone();
    w.open_casework_page(&format!("/?processor={uscc}")).await;
}

#[when("they open the casework page of the filing")]
async fn open_casework_filing(w: &mut FrtWorld) {
    let id = w.filing_id();
    w.open_casework_page(&format!("/filings/{id}")).await;
}

/// The first complaint filed in the scenario, as its receipt gave it.
fn complaint_receipt(w: &FrtWorld, key: &str) -> String {
    let c = w
        .complaints
        .first()
        .expect("no complaint was filed in this scenario");
    c[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {c}"))
        .to_owned()
}

#[when("they follow the link to the complaint")]
async fn follow_complaint(w: &mut FrtWorld) {
    let receipt = complaint_receipt(w, "receipt_number");
    follow_link(w, receipt).await;
}

#[when("they open the casework page of the complaint")]
async fn open_casework_complaint(w: &mut FrtWorld) {
    let id = complaint_receipt(w, "id");
    w.open_casework_page(&format!("/complaints/{id}")).await;
}

#[then(expr = "the field {string} holds text containing {string}")]
async fn field_holds(w: &mut FrtWorld, field: String, text: String) {
    let e = w
        .browser()
        .client
        .find(frt_testkit::browser::Locator::Id(&field))
        .await
        .unwrap_or_else(|e| panic!("no field #{field}: {e}"));
    let value = e.prop("value").await.ok().flatten().unwrap_or_default();
    assert!(value.contains(&text), "#{field} holds {value:?}");
}

#[then(expr = "the page offers no button {string}")]
async fn no_button(w: &mut FrtWorld, label: String) {
    let found = w
        .browser()
        .client
        .find_all(frt_testkit::browser::Locator::XPath(&format!(
            "//main//button[normalize-space(.)='{label}']"
        )))
        .await
        .expect("buttons");
    assert!(found.is_empty(), "the page offers {label:?}");
}

#[then(regex = r#"^the page shows the charts (.+)$"#)]
async fn shows_charts(w: &mut FrtWorld, list: String) {
    let captions = w
        .browser()
        .client
        .find_all(frt_testkit::browser::Locator::Css("figure.chart"))
        .await
        .expect("charts");
    let mut shown = Vec::new();
    for figure in captions {
        let title = match figure
            .find(frt_testkit::browser::Locator::Css(
                "svg[role='img'] > title",
            ))
            .await
        {
            Ok(t) => t.html(true).await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        let bars = figure
            .find_all(frt_testkit::browser::Locator::Css("svg rect.bar"))
            .await
            .map(|b| b.len())
            .unwrap_or(0);
        shown.push((title, bars));
    }
    for wanted in list.split('"').skip(1).step_by(2) {
        let found = shown.iter().find(|(t, _)| t.starts_with(wanted));
        let (_, bars) = found.unwrap_or_else(|| panic!("no chart {wanted:?} in {shown:?}"));
        assert!(*bars > 0, "the chart {wanted:?} has no bars");
    }
}

/// A cell as text: numbers compared as numbers, an empty cell as the page's "—".
fn same_cell(page: &str, book: &frt_sheets::Value) -> bool {
    match book {
        frt_sheets::Value::Empty => page == "—",
        frt_sheets::Value::Number(n) => page.parse::<f64>().is_ok_and(|p| (p - n).abs() < 1e-9),
        other => other.text().as_deref() == Some(page),
    }
}

#[then(expr = "the numbers on the page are those of the statistics workbook {string} exports")]
async fn numbers_match_export(w: &mut FrtWorld, name: String) {
    use frt_testkit::browser::Locator;
    let b = w.browser();
    let month = b
        .client
        .find(Locator::Id("month"))
        .await
        .expect("the month field")
        .prop("value")
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let mut page_rows = Vec::new();
    for tr in b
        .client
        .find_all(Locator::Css("#statistics tbody tr"))
        .await
        .expect("rows")
    {
        let mut cells = Vec::new();
        for c in tr.find_all(Locator::Css("th, td")).await.expect("cells") {
            cells.push(c.text().await.unwrap_or_default().trim().to_owned());
        }
        page_rows.push(cells);
    }
    assert!(!page_rows.is_empty(), "the page shows no numbers");
    crate::steps::imports::download(
        w,
        &name,
        &format!("/api/v1/exports/statistics.xlsx?month={month}"),
    )
    .await;
    let table = crate::steps::imports::sheet_of(w, None);
    assert_eq!(table.rows.len(), page_rows.len(), "rows: {page_rows:?}");
    for (page, book) in page_rows.iter().zip(&table.rows) {
        assert_eq!(page.len(), table.header.len(), "{page:?}");
        for (i, header) in table.header.iter().enumerate() {
            let cell = book
                .cells
                .get(i)
                .cloned()
                .unwrap_or(frt_sheets::Value::Empty);
            assert!(
                same_cell(&page[i], &cell),
                "{header}: the page says {:?}, the workbook {cell:?}",
                page[i]
            );
        }
    }
}

#[when(expr = "they choose a hotline log with these rows for {string}")]
async fn choose_hotline_log(w: &mut FrtWorld, field: String, step: &cucumber::gherkin::Step) {
    let bytes = crate::steps::imports::filled(step, &w.unique.clone());
    let file = std::env::temp_dir().join(format!("{}-热线登记.xlsx", uuid::Uuid::now_v7()));
    std::fs::write(&file, bytes).expect("the workbook");
    w.browser()
        .client
        .find(frt_testkit::browser::Locator::Id(&field))
        .await
        .unwrap_or_else(|e| panic!("no file field #{field}: {e}"))
        .send_keys(&file.to_string_lossy())
        .await
        .expect("choose the file");
    w.temp_files.push(file);
}

#[when("they download the error workbook the page offers")]
async fn download_offered_workbook(w: &mut FrtWorld) {
    let b = w.browser();
    let href = b
        .client
        .find(frt_testkit::browser::Locator::Css(
            "a[href^='/imports/error-workbooks/']",
        ))
        .await
        .expect("a link to the error workbook")
        .attr("href")
        .await
        .ok()
        .flatten()
        .expect("its address");
    // The browser's own session, as the link would send it.
    let cookies = b.client.get_all_cookies().await.expect("cookies");
    let cookie = cookies
        .iter()
        .map(|c| format!("{}={}", c.name(), c.value()))
        .collect::<Vec<_>>()
        .join("; ");
    let url = format!("{}{href}", w.client().casework);
    let r = w
        .client()
        .request(reqwest::Method::GET, url)
        .header("cookie", cookie)
        .send()
        .await
        .expect("the error workbook");
    assert_eq!(r.status().as_u16(), 200);
    w.workbook = Some(r.bytes().await.expect("its bytes").to_vec());
}

#[when(expr = "they fill in {string} with the pool size shown")]
async fn fill_pool_size(w: &mut FrtWorld, field: String) {
    let size = w
        .browser()
        .text_of("pool-size")
        .await
        .expect("the page shows the pool's size");
    fill_in(w, field, size.trim().to_owned()).await;
}

/// Presses the button in the table row of a processor of the scenario (found by its USCC,
/// which no other scenario's processor shares).
#[when(expr = "they press {string} in the row of {string}")]
async fn press_in_row(w: &mut FrtWorld, label: String, processor: String) {
    let uscc = w.processor(&processor).uscc.clone();
    w.browser()
        .click_xpath_navigating(&format!(
            "//tr[td[normalize-space(.)='{uscc}']]//button[normalize-space(.)='{label}']"
        ))
        .await
        .unwrap_or_else(|e| panic!("no {label:?} beside {processor:?} ({uscc}): {e}"));
    w.check_page().await;
}

#[then(expr = "the page shows the inspection of {string}")]
async fn page_shows_inspection(w: &mut FrtWorld, processor: String) {
    let url = w.browser().url().await;
    let id = url
        .split("/inspections/")
        .nth(1)
        .and_then(|r| r.split(['?', '#']).next())
        .filter(|id| uuid::Uuid::parse_str(id).is_ok())
        .unwrap_or_else(|| panic!("not an inspection's page: {url}"))
        .to_owned();
    page_says(w, processor).await;
    w.inspection = Some(id);
}

#[when("they open the casework page of the inspection")]
async fn open_casework_inspection(w: &mut FrtWorld) {
    let id = w
        .inspection
        .clone()
        .expect("no inspection yet in this scenario");
    w.open_casework_page(&format!("/inspections/{id}")).await;
}

#[then("the page does not show the complaint")]
async fn page_lacks_complaint(w: &mut FrtWorld) {
    let receipt = complaint_receipt(w, "receipt_number");
    page_does_not_say(w, receipt).await;
}

#[when(expr = "they tick the agency of {string}")]
async fn tick_agency(w: &mut FrtWorld, member: String) {
    let agency = crate::steps::notifications::agency_of(w, &member).await;
    tick(w, format!("recipient-{agency}")).await;
}

#[when(expr = "they search the registry for the USCC of {string}")]
async fn search_registry(w: &mut FrtWorld, name: String) {
    let uscc = w.processor(&name).uscc.clone();
    w.open_casework_page(&format!("/registry?q={uscc}")).await;
}

#[then(expr = "the menu does not offer {string}")]
async fn menu_lacks(w: &mut FrtWorld, label: String) {
    let found = w
        .browser()
        .client
        .find_all(frt_testkit::browser::Locator::XPath(&format!(
            "//nav//a[normalize-space(.)='{label}']"
        )))
        .await
        .expect("links");
    assert!(found.is_empty(), "the menu offers {label:?}");
}

/// Waits for a page that reloads itself (an export's progress) to say `text`.
#[then(expr = "the page says {string} within {int} seconds")]
async fn page_says_within(w: &mut FrtWorld, text: String, seconds: u64) {
    let started = std::time::Instant::now();
    loop {
        let main = w.main_text().await;
        if main.contains(&text) {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(seconds),
            "the page does not say {text:?}:\n{main}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    w.check_page().await;
}
