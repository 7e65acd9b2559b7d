//! Notices about a user's own account.

use crate::templates::{Locale, Message, Rendered, SIGN_OFF_EN, SIGN_OFF_ZH};

/// A notice to the owner of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountNotice {
    /// Many wrong passwords were tried on the account in a short time, from any address.
    LoginFailures {
        email: String,
        failures: i32,
        within_minutes: i64,
    },
}

impl Message for AccountNotice {
    fn template(&self) -> &'static str {
        match self {
            Self::LoginFailures { .. } => "account.login_failures",
        }
    }

    fn render(&self, locale: Locale) -> Rendered {
        match (self, locale) {
            (
                Self::LoginFailures {
                    email,
                    failures,
                    within_minutes,
                },
                Locale::ZhCn,
            ) => Rendered {
                subject: "【人脸识别技术应用备案】账户登录异常提醒".into(),
                text: format!(
                    "您好：\n\n您的账户 {email} 在{within_minutes}分钟内有{failures}次密码错误的登录尝试。\
                     如非本人操作，请联系管理员并及时修改密码。来源地址的尝试已被暂时限制。\n{SIGN_OFF_ZH}"
                ),
            },
            (
                Self::LoginFailures {
                    email,
                    failures,
                    within_minutes,
                },
                Locale::En,
            ) => Rendered {
                subject: "[FRT] Unusual login attempts on your account".into(),
                text: format!(
                    "Hello,\n\nThere were {failures} login attempts with a wrong password on your \
                     account {email} within {within_minutes} minutes. If this was not you, tell \
                     your administrator and change your password. Further attempts from those \
                     addresses are held back for a while.\n{SIGN_OFF_EN}"
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alert_names_the_account_in_both_languages() {
        let n = AccountNotice::LoginFailures {
            email: "a@b.cn".into(),
            failures: 20,
            within_minutes: 15,
        };
        for l in Locale::ALL {
            let r = n.render(l);
            assert!(r.text.contains("a@b.cn") && r.text.contains("20"), "{r:?}");
        }
        assert_eq!(n.template(), "account.login_failures");
    }
}
