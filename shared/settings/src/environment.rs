//! Which environment a process runs in (`FRT_ENV`), read once at its start.

/// What a deployment runs as (`FRT_ENV`): which overrides load (`config/<env>.toml`) and
/// whether test support may exist. Any other name refuses to start, so a misspelt
/// `production` is not taken for a test environment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Environment {
    /// A developer's machine (`frtctl up`).
    #[default]
    Local,
    /// The test suites.
    Test,
    /// A production-like stack QA runs the acceptance suite against.
    Staging,
    Production,
}

impl Environment {
    pub const ALL: [Self; 4] = [Self::Local, Self::Test, Self::Staging, Self::Production];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Test => "test",
            Self::Staging => "staging",
            Self::Production => "production",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str() == text.trim())
            .ok_or_else(|| {
                format!(
                    "FRT_ENV={text:?} is not an environment: name one of local, test, staging, production"
                )
            })
    }

    /// `FRT_ENV`, read once at start: the services refuse to start without it.
    pub fn of_process() -> Result<Self, String> {
        match std::env::var("FRT_ENV") {
            Ok(v) => Self::parse(&v),
            Err(_) => Err(
                "FRT_ENV is not set: name the environment (local, test, staging or production)"
                    .to_owned(),
            ),
        }
    }

    /// `FRT_ENV`, or `local` when it is unset (frtctl, a developer's tool); a name that is not
    /// an environment is refused all the same.
    pub fn of_process_or_local() -> Result<Self, String> {
        match std::env::var("FRT_ENV") {
            Ok(v) => Self::parse(&v),
            Err(_) => Ok(Self::Local),
        }
    }

    /// Whether acceptance tests may reach behind the API here (the test-support API, test
    /// clocks, given draw seeds), once a QA token is configured: never in production.
    pub fn allows_test_support(self) -> bool {
        self != Self::Production
    }
}
