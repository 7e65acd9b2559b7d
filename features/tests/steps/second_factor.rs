//! The second factor in the console: the platform asking it of admins and supervisors, the
//! enrolment page's QR code and secret (kept as an authenticator app keeps it), codes of now,
//! and the recovery codes shown once.

use crate::steps::browser::{fill_in, press};
use crate::support::FrtWorld;
use cucumber::{given, then, when};
use frt_access::second_factor::{code_at, secret_from_text, STEP_SECONDS};
use frt_testkit::browser::Locator;

#[given("the platform is running with a second factor for admins and supervisors")]
async fn platform_with_second_factor(w: &mut FrtWorld) {
    w.start(&[("FRT__AUTH__SECOND_FACTOR", "admin,supervisor")])
        .await;
}

#[when("the page shows a QR code and the secret, which their authenticator app keeps")]
#[then("the page shows a QR code and the secret, which their authenticator app keeps")]
async fn qr_and_secret(w: &mut FrtWorld) {
    let b = w.browser();
    b.client
        .find(Locator::Css("figure.qr svg"))
        .await
        .expect("a QR code on the page");
    let secret = b
        .client
        .find(Locator::Css("code.secret"))
        .await
        .expect("the secret on the page")
        .text()
        .await
        .expect("its text");
    w.otp_secret = Some(secret_from_text(&secret).expect("a base32 secret"));
}

#[when("they enter the code their authenticator app shows now")]
async fn enter_code(w: &mut FrtWorld) {
    let secret = w.otp_secret.clone().expect("no authenticator app set up");
    let step = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0) / STEP_SECONDS;
    let code = code_at(&secret, step).expect("a code");
    fill_in(w, "code".into(), code).await;
    press(w, "验证".into()).await;
}

#[then(expr = "the page lists {int} recovery codes, which they keep")]
async fn recovery_codes_listed(w: &mut FrtWorld, n: usize) {
    let items = w
        .browser()
        .client
        .find_all(Locator::Css("ol.recovery-codes code"))
        .await
        .expect("the recovery codes");
    let mut codes = Vec::new();
    for item in items {
        codes.push(item.text().await.expect("a code"));
    }
    assert_eq!(codes.len(), n, "{codes:?}");
    w.recovery_codes = codes;
}

#[when("they enter one of their recovery codes")]
async fn enter_recovery_code(w: &mut FrtWorld) {
    let code = w.recovery_codes.pop().expect("no recovery codes kept");
    fill_in(w, "code".into(), code).await;
    press(w, "验证".into()).await;
}

#[given(
    regex = r#"^"([^"]+)" is an? (supervisor|admin) at the provincial CAC office of (\d{6}) who has not logged in yet$"#
)]
async fn new_staff(w: &mut FrtWorld, name: String, role: String, province: String) {
    let email = w
        .make_staff_account(
            frt_access::AgencyKind::ProvincialCac,
            Some(&province),
            role.parse().unwrap_or_else(|e: String| panic!("{e}")),
        )
        .await;
    w.staff_emails.insert(name, email);
}

/// Presses the button in the staff table's row of a member of the scenario (found by their
/// email, which no other scenario's staff shares).
#[when(expr = "they press {string} in the row of the member {string}")]
async fn press_in_member_row(w: &mut FrtWorld, label: String, name: String) {
    let email = crate::steps::accounts::staff_email(w, &name).await;
    w.browser()
        .click_xpath_navigating(&format!(
            "//tr[td[normalize-space(.)='{email}']]//button[normalize-space(.)='{label}']"
        ))
        .await
        .unwrap_or_else(|e| panic!("no {label:?} beside {name:?} ({email}): {e}"));
    w.check_page().await;
}
