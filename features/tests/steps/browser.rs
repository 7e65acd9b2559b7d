//! The console in a real browser (headless Chromium over WebDriver): what a person sees and
//! does on the portal's pages. Every page the browser lands on is checked with axe (no serious
//! or critical violation) and walked with the keyboard (every control reachable by Tab).

use crate::support::FrtWorld;
use cucumber::{given, then, when};
use frt_testkit::app::PASSWORD;
use frt_testkit::browser::Browser;

impl FrtWorld {
    fn browser(&self) -> &Browser {
        self.browser
            .as_ref()
            .expect("no browser: begin with 'Given a browser'")
    }

    fn portal_url(&self, path: &str) -> String {
        format!("{}{path}", self.client().portal)
    }

    /// Checks the page the browser is on, once per address: axe, then the keyboard.
    async fn check_page(&mut self) {
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
    w.browser()
        .follow(&text)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    w.check_page().await;
}

#[when(expr = "they fill in {string} with {string}")]
async fn fill_in(w: &mut FrtWorld, field: String, text: String) {
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
async fn press(w: &mut FrtWorld, label: String) {
    w.browser()
        .press(&label)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    w.check_page().await;
}

#[then(expr = "the page says {string}")]
async fn page_says(w: &mut FrtWorld, text: String) {
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
