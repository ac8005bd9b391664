//! The real server on a free port, over a fresh database, for tests that
//! speak HTTP; and a client with its own cookie jar that fills in CSRF
//! tokens the way a browser's forms would.

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::Method;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::redirect::Policy;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use xueshi_app::App;
use xueshi_web::{AppState, DemoSignIn, WebConfig};

use crate::db::{Db, TestDb};

pub struct TestApp {
    pub db: TestDb,
    pub app: App,
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl TestApp {
    /// An empty installation.
    pub async fn start(db: Db) -> TestApp {
        let (t, app) = crate::app(db).await;
        Self::serve(t, app, WebConfig::default()).await
    }

    /// The district demo (seed 2021) without its study history.
    pub async fn district(db: Db) -> TestApp {
        let (t, app) = crate::district(db).await;
        Self::serve(
            t,
            app,
            WebConfig {
                demo_sign_in: Some(DemoSignIn::new(
                    xueshi_demo::DEMO_PASSWORD,
                    &xueshi_demo::ACCOUNTS,
                )),
                ..WebConfig::default()
            },
        )
        .await
    }

    /// The district demo as `xueshi serve --demo` shows it, two weeks of
    /// members' study included.
    pub async fn district_studying(db: Db) -> TestApp {
        let (t, app) = crate::district_studying(db).await;
        Self::serve(
            t,
            app,
            WebConfig {
                demo_sign_in: Some(DemoSignIn::new(
                    xueshi_demo::DEMO_PASSWORD,
                    &xueshi_demo::ACCOUNTS,
                )),
                ..WebConfig::default()
            },
        )
        .await
    }

    pub async fn serve(db: TestDb, app: App, web: WebConfig) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let state = AppState::new(app.clone(), web);
        tokio::spawn(async move {
            let _ = xueshi_web::serve(listener, state, async {
                let _ = stopped.await;
            })
            .await;
        });
        TestApp {
            db,
            app,
            addr,
            stop: Some(stop),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A new visitor with an empty cookie jar.
    pub fn client(&self) -> Client {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            .build()
            .expect("client");
        Client {
            http,
            jar,
            base: format!("http://{}", self.addr),
            csrf: None,
        }
    }

    /// A visitor signed in through the login page.
    pub async fn signed_in(&self, username: &str) -> Client {
        let mut c = self.client();
        let r = c.login(username, xueshi_demo::DEMO_PASSWORD).await;
        assert_eq!(r.status(), 303, "login of {username}");
        c
    }

    /// Moves the server's clock forward.
    pub fn advance_minutes(&self, minutes: i64) {
        self.app.clock().advance_ms(minutes * 60_000);
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

pub struct Client {
    pub http: reqwest::Client,
    jar: Arc<Jar>,
    pub base: String,
    /// The CSRF token of the current page or session.
    pub csrf: Option<String>,
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_of(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().map(str::to_owned)
}

impl Client {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The `Cookie` header this client sends, to replay it elsewhere.
    pub fn cookies(&self) -> String {
        let url = self.base.parse().expect("base url");
        self.jar
            .cookies(&url)
            .and_then(|v| v.to_str().ok().map(str::to_owned))
            .unwrap_or_default()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("GET")
    }

    /// GETs a page and remembers its CSRF token; returns status and body.
    pub async fn page(&mut self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        let body = r.text().await.unwrap_or_default();
        if let Some(t) = csrf_of(&body) {
            self.csrf = Some(t);
        }
        (status, body)
    }

    /// Signs in through the login form.
    pub async fn login(&mut self, username: &str, password: &str) -> reqwest::Response {
        self.page("/login").await;
        let r = self
            .form("/login", &[("username", username), ("password", password)])
            .await;
        if r.status() == 303 {
            self.page("/home").await;
        }
        r
    }

    /// POSTs a form with the remembered CSRF token.
    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let token = self.csrf.clone().unwrap_or_default();
        all.push(("csrf", &token));
        self.http
            .post(self.url(path))
            .form(&all)
            .send()
            .await
            .expect("POST")
    }

    /// POSTs a form without any CSRF token.
    pub async fn form_without_token(
        &self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// Signs in through the API; remembers the CSRF token it returns.
    /// Returns the status and the JSON body.
    pub async fn api_login(&mut self, username: &str, password: &str) -> (u16, serde_json::Value) {
        let r = self
            .http
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("POST");
        let status = r.status().as_u16();
        let body: serde_json::Value = r.json().await.unwrap_or_default();
        if let Some(t) = body["csrf_token"].as_str() {
            self.csrf = Some(t.to_owned());
        }
        (status, body)
    }

    /// An API call with the CSRF header when a token is known.
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> reqwest::Response {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = &self.csrf {
            req = req.header("x-csrf-token", t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("API call")
    }

    /// Uploads a file to a multipart form endpoint with the CSRF token as
    /// the form's first field, as the pages' forms send it.
    pub async fn upload(&self, path: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        self.multipart(path, |f| f.part("file", part)).await
    }

    /// POSTs a multipart form whose first field is the CSRF token, the
    /// fields `build` adds after it.
    pub async fn multipart(
        &self,
        path: &str,
        build: impl FnOnce(reqwest::multipart::Form) -> reqwest::multipart::Form,
    ) -> reqwest::Response {
        let token = self.csrf.clone().unwrap_or_default();
        let form = build(reqwest::multipart::Form::new().text("csrf", token));
        self.http
            .post(self.url(path))
            .multipart(form)
            .send()
            .await
            .expect("upload")
    }
}
