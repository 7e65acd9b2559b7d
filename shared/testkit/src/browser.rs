//! A real browser for the console's tests: Debian's Chromium driven over WebDriver
//! (chromedriver) with fantoccini. One chromedriver serves a whole test run; each browser is a
//! headless Chromium of its own with a fresh profile, in Chinese, with JavaScript on or off.
//! Every page a test visits can be checked with axe-core (vendored, injected by the test) and
//! walked with the keyboard.
//!
//! When Chromium, chromedriver or the CJK fonts are missing, the harness installs Debian's
//! `chromium`, `chromium-driver` and `fonts-noto-cjk` if it runs as root, as it does
//! PostgreSQL; otherwise it fails saying what to install.

pub use fantoccini::Locator;
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::OnceCell;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CJK_FONTS: &str = "/usr/share/fonts/opentype/noto";
const PACKAGES: [&str; 3] = ["chromium", "chromium-driver", "fonts-noto-cjk"];

/// axe-core 4 (MPL-2.0), unchanged from its npm package.
const AXE: &str = include_str!("../assets/axe.min.js");

static DRIVER: OnceCell<Result<String, String>> = OnceCell::const_new();
/// The pipe whose closing, when the process ends, stops chromedriver.
static LIFELINE: std::sync::Mutex<Option<tokio::process::ChildStdin>> = std::sync::Mutex::new(None);

/// Installs the browser packages when missing (as root), or says what to install.
fn ensure_installed() -> Result<(), String> {
    crate::packages::ensure(
        "browser tests",
        &[CHROMIUM, CHROMEDRIVER, CJK_FONTS],
        &PACKAGES,
    )
}

/// Starts chromedriver on a port it picks itself and reads the port from its first lines.
/// It is held by a shell that waits on a pipe from this process: when the test run ends, in
/// whatever way, the pipe closes and the shell stops chromedriver, so no driver outlives it.
async fn start_driver() -> Result<String, String> {
    tokio::task::spawn_blocking(ensure_installed)
        .await
        .map_err(|e| e.to_string())??;
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{CHROMEDRIVER} --port=0 & driver=$!; read -r _; kill $driver"
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(false)
        .spawn()
        .map_err(|e| format!("cannot start chromedriver: {e}"))?;
    let lifeline = child
        .stdin
        .take()
        .ok_or("chromedriver's shell has no stdin")?;
    let stdout = child.stdout.take().ok_or("chromedriver has no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let port = tokio::time::timeout(Duration::from_secs(20), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.split("started successfully on port ").nth(1) {
                return rest.trim_end_matches('.').trim().parse::<u16>().ok();
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .ok_or("chromedriver did not say its port")?;
    // The lifeline stays open as long as this process runs (whichever test's runtime started
    // the driver ends first).
    *LIFELINE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(lifeline);
    // Keep reading its output so it never blocks on a full pipe.
    tokio::spawn(async move {
        while let Ok(Some(_)) = lines.next_line().await {}
        let _ = child.wait().await;
    });
    Ok(format!("http://127.0.0.1:{port}"))
}

/// One headless Chromium.
pub struct Browser {
    pub client: Client,
    profile: std::path::PathBuf,
    /// Whether pages may run JavaScript.
    pub javascript: bool,
    /// For a browser without JavaScript: a second one, with it, where the pages seen are
    /// checked (axe is itself a script).
    checker: OnceCell<Box<Browser>>,
}

/// A serious or critical accessibility violation axe found.
#[derive(Debug, Clone)]
pub struct Violation {
    pub id: String,
    pub impact: String,
    pub help: String,
    pub targets: Vec<String>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {} at {}",
            self.id,
            self.impact,
            self.help,
            self.targets.join(", ")
        )
    }
}

impl Browser {
    /// A new browser speaking Chinese first, with JavaScript on or off.
    pub async fn open(javascript: bool) -> Result<Self, String> {
        let driver = DRIVER.get_or_init(start_driver).await.clone()?;
        let profile =
            std::env::temp_dir().join(format!("frt-chromium-{}", uuid::Uuid::now_v7().simple()));
        let mut prefs = json!({ "intl.accept_languages": "zh-CN,zh" });
        if !javascript {
            prefs["profile.managed_default_content_settings.javascript"] = json!(2);
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--lang=zh-CN",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": prefs,
            }),
        );
        // WebDriver speaks plain HTTP on loopback; the TLS layer still wants one provider.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = ClientBuilder::rustls()
            .map_err(|e| format!("WebDriver client: {e}"))?
            .capabilities(caps)
            .connect(&driver)
            .await
            .map_err(|e| format!("cannot open Chromium through chromedriver: {e}"))?;
        Ok(Self {
            client,
            profile,
            javascript,
            checker: OnceCell::new(),
        })
    }

    /// Ends the browser and removes its profile.
    pub async fn close(mut self) {
        if let Some(checker) = self.checker.take() {
            let _ = checker.client.close().await;
            let _ = std::fs::remove_dir_all(&checker.profile);
        }
        let _ = self.client.close().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }

    /// Checks the page shown: its serious and critical accessibility violations, and the
    /// controls Tab never reaches. Without JavaScript the page's document is checked in a
    /// second browser that has it, at the same origin, so that the same stylesheet applies.
    pub async fn check(&self) -> Result<(Vec<Violation>, Vec<String>), String> {
        if self.javascript {
            return Ok((self.axe().await?, self.unreachable_by_keyboard().await?));
        }
        let source = self
            .client
            .source()
            .await
            .map_err(|e| format!("page source: {e}"))?;
        let url = self.url().await;
        let origin = url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
        let checker = self
            .checker
            .get_or_try_init(|| async { Browser::open(true).await.map(Box::new) })
            .await?;
        checker.goto(&format!("{origin}/")).await?;
        checker
            .client
            .execute(
                "document.open(); document.write(arguments[0]); document.close();",
                vec![json!(source)],
            )
            .await
            .map_err(|e| format!("cannot copy the page: {e}"))?;
        checker.settle().await;
        Ok((
            checker.axe().await?,
            checker.unreachable_by_keyboard().await?,
        ))
    }

    pub async fn goto(&self, url: &str) -> Result<(), String> {
        self.client
            .goto(url)
            .await
            .map_err(|e| format!("goto {url}: {e}"))
    }

    pub async fn url(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    /// The visible text of the page's `<main>`.
    pub async fn main_text(&self) -> String {
        match self.client.find(Locator::Css("main")).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// The text of the element with this id, if there is one.
    pub async fn text_of(&self, id: &str) -> Option<String> {
        let e = self.client.find(Locator::Id(id)).await.ok()?;
        e.text().await.ok()
    }

    /// Types `text` into the field labelled by id `field` (clearing it first).
    pub async fn fill(&self, field: &str, text: &str) -> Result<(), String> {
        let e = self
            .client
            .find(Locator::Id(field))
            .await
            .map_err(|e| format!("no field #{field}: {e}"))?;
        let kind = e.attr("type").await.ok().flatten().unwrap_or_default();
        if kind == "date" {
            // A date field's typing order follows the browser's locale; the picker's result
            // is the ISO date set here.
            self.client
                .execute(
                    "document.getElementById(arguments[0]).value = arguments[1];",
                    vec![json!(field), json!(text)],
                )
                .await
                .map_err(|e| format!("set #{field}: {e}"))?;
            return Ok(());
        }
        e.clear()
            .await
            .map_err(|e| format!("clear #{field}: {e}"))?;
        e.send_keys(text)
            .await
            .map_err(|e| format!("type into #{field}: {e}"))
    }

    /// Chooses the option with `value` in the select `field`.
    pub async fn choose(&self, field: &str, value: &str) -> Result<(), String> {
        let e = self
            .client
            .find(Locator::Css(&format!("#{field} option[value='{value}']")))
            .await
            .map_err(|e| format!("no option {value} in #{field}: {e}"))?;
        e.click().await.map_err(|e| format!("choose {value}: {e}"))
    }

    /// Clicks the element `css` and waits for the page it leads to.
    pub async fn click(&self, css: &str) -> Result<(), String> {
        let e = self
            .client
            .find(Locator::Css(css))
            .await
            .map_err(|e| format!("nothing matches {css}: {e}"))?;
        self.navigating(e)
            .await
            .map_err(|e| format!("click {css}: {e}"))
    }

    /// Follows the first link whose text is `text`, in the page's main part first.
    pub async fn follow(&self, text: &str) -> Result<(), String> {
        self.click_xpath(&format!(
            "(//main//a[normalize-space(.)='{text}'] | //a[normalize-space(.)='{text}'])[1]"
        ))
        .await
        .map_err(|e| format!("no link '{text}': {e}"))
    }

    /// Presses the first button whose text is `text`, in the page's main part first.
    pub async fn press(&self, text: &str) -> Result<(), String> {
        self.click_xpath(&format!(
            "(//main//button[normalize-space(.)='{text}'] | //button[normalize-space(.)='{text}'])[1]"
        ))
        .await
        .map_err(|e| format!("no button '{text}': {e}"))
    }

    /// Clicks the first element `xpath` finds and waits for the page it leads to.
    pub async fn click_xpath_navigating(&self, xpath: &str) -> Result<(), String> {
        self.click_xpath(xpath).await
    }

    async fn click_xpath(&self, xpath: &str) -> Result<(), String> {
        let e = self
            .client
            .find(Locator::XPath(xpath))
            .await
            .map_err(|e| e.to_string())?;
        self.navigating(e).await
    }

    /// Clicks `e` and waits for the page it leads to (up to ten seconds).
    async fn navigating(&self, e: fantoccini::elements::Element) -> Result<(), String> {
        let _ = self
            .client
            .execute(
                "document.documentElement.setAttribute('data-frt-before', '1');",
                vec![],
            )
            .await;
        e.click().await.map_err(|e| e.to_string())?;
        for _ in 0..200 {
            let state = self
                .client
                .execute(
                    // A new page, or one a script wrote in place of this one, lacks the mark.
                    "return document.documentElement && document.documentElement.getAttribute('data-frt-before') === '1' ? 'same' : document.readyState;",
                    vec![],
                )
                .await;
            if matches!(state, Ok(Value::String(ref s)) if s == "complete") {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }

    /// Clicks the element `css` without waiting for a new page (a control a script handles).
    pub async fn click_here(&self, css: &str) -> Result<(), String> {
        self.client
            .find(Locator::Css(css))
            .await
            .map_err(|e| format!("nothing matches {css}: {e}"))?
            .click()
            .await
            .map_err(|e| format!("click {css}: {e}"))
    }

    /// Waits until the document has loaded.
    async fn settle(&self) {
        for _ in 0..100 {
            if let Ok(Value::String(s)) = self
                .client
                .execute("return document.readyState", vec![])
                .await
            {
                if s == "complete" {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The serious and critical accessibility violations of the current page (WCAG 2.1 A and
    /// AA rules and axe's best practices).
    pub async fn axe(&self) -> Result<Vec<Violation>, String> {
        self.client
            .execute(AXE, vec![])
            .await
            .map_err(|e| format!("cannot load axe: {e}"))?;
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                    .then(r => done(r.violations.map(v => ({
                        id: v.id, impact: v.impact || '', help: v.help,
                        targets: v.nodes.map(n => n.target.join(' ')) }))))
                    .catch(e => done({ error: String(e) }));",
                vec![],
            )
            .await
            .map_err(|e| format!("axe did not run: {e}"))?;
        if let Some(e) = result.get("error") {
            return Err(format!("axe failed: {e}"));
        }
        Ok(result
            .as_array()
            .map(|vs| {
                vs.iter()
                    .map(|v| Violation {
                        id: v["id"].as_str().unwrap_or_default().to_owned(),
                        impact: v["impact"].as_str().unwrap_or_default().to_owned(),
                        help: v["help"].as_str().unwrap_or_default().to_owned(),
                        targets: v["targets"]
                            .as_array()
                            .map(|t| {
                                t.iter()
                                    .filter_map(|s| s.as_str().map(str::to_owned))
                                    .collect()
                            })
                            .unwrap_or_default(),
                    })
                    .filter(|v| matches!(v.impact.as_str(), "serious" | "critical"))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The controls of the page (links, buttons, fields, summaries) that Tab never reaches.
    pub async fn unreachable_by_keyboard(&self) -> Result<Vec<String>, String> {
        let counted = self
            .client
            .execute(
                "const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
                 const folded = e => {
                     for (let d = e.parentElement; d; d = d.parentElement) {
                         if (d.tagName === 'DETAILS' && !d.open) {
                             const s = d.querySelector(':scope > summary');
                             if (!(s && s.contains(e))) return true;
                         }
                     }
                     return false;
                 };
                 const all = [...document.querySelectorAll(sel)].filter(e =>
                     !e.disabled && e.getClientRects().length > 0 && !folded(e) &&
                     getComputedStyle(e).visibility !== 'hidden');
                 all.forEach((e, i) => e.setAttribute('data-kb', String(i)));
                 document.activeElement && document.activeElement.blur();
                 window.scrollTo(0, 0);
                 // A date, month or time field takes a Tab stop per part (year, month, day).
                 const parts = all.filter(e => ['date', 'month', 'time', 'datetime-local'].includes(e.type)).length;
                 return [all.length, parts * 3];",
                vec![],
            )
            .await
            .map_err(|e| format!("cannot list controls: {e}"))?;
        let at = |i: usize| counted.get(i).and_then(Value::as_u64).unwrap_or(0) as usize;
        let (count, parts) = (at(0), at(1));
        let mut reached = vec![false; count];
        let body = self
            .client
            .find(Locator::Css("body"))
            .await
            .map_err(|e| format!("no body: {e}"))?;
        // Radio buttons of one group take one Tab stop between them.
        for _ in 0..count + parts + 3 {
            body.send_keys("\u{E004}")
                .await
                .map_err(|e| format!("Tab: {e}"))?;
            let at = self
                .client
                .execute(
                    "const a = document.activeElement;
                     if (a && a.type === 'radio') {
                         return [...document.querySelectorAll(`input[type=radio][name='${a.name}']`)]
                             .map(r => r.getAttribute('data-kb'));
                     }
                     return [a ? a.getAttribute('data-kb') : null];",
                    vec![],
                )
                .await
                .map_err(|e| format!("active element: {e}"))?;
            for i in at.as_array().into_iter().flatten() {
                if let Some(i) = i.as_str().and_then(|s| s.parse::<usize>().ok()) {
                    if let Some(r) = reached.get_mut(i) {
                        *r = true;
                    }
                }
            }
        }
        let mut missing = Vec::new();
        for (i, ok) in reached.iter().enumerate() {
            if !ok {
                let what = self
                    .client
                    .execute(
                        "const e = document.querySelector(`[data-kb='${arguments[0]}']`);
                         return e ? e.outerHTML.slice(0, 120) : '';",
                        vec![json!(i.to_string())],
                    )
                    .await
                    .unwrap_or_default();
                missing.push(what.as_str().unwrap_or_default().to_owned());
            }
        }
        Ok(missing)
    }

    /// A PNG of the whole window.
    pub async fn screenshot(&self) -> Result<Vec<u8>, String> {
        self.client
            .screenshot()
            .await
            .map_err(|e| format!("screenshot: {e}"))
    }
}
