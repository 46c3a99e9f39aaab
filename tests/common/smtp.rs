//! A real SMTP server for the tests, on `127.0.0.1:0`: mailin's SMTP session (the
//! protocol engine of mailin-embedded) driven over a std `TcpListener`, one thread
//! per connection, exactly as mailin-embedded drives it — without TLS, so that it can
//! offer AUTH on loopback (mailin-embedded offers AUTH only after STARTTLS). Every
//! message that reaches the end of DATA is kept whole for the test to parse.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use mailin::{Action, AuthMechanism, Handler, Response, SessionBuilder, response};

#[derive(Debug, Clone, Default)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

#[derive(Default)]
struct State {
    messages: Vec<Received>,
    refused_logins: usize,
}

pub struct Smtp {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl Smtp {
    /// A server that takes mail from anyone, or — with `login` — only after AUTH with
    /// that user name and password.
    pub fn start(login: Option<(&str, &str)>) -> Smtp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(Mutex::new(State::default()));
        let mut builder = SessionBuilder::new("aktar-test-smtp");
        if login.is_some() {
            builder
                .enable_auth(AuthMechanism::Plain)
                .enable_auth(AuthMechanism::Login)
                .insecure_enable_plaintext_auth();
        }
        let login = login.map(|(u, p)| (u.to_string(), p.to_string()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let handler = Mail {
                    state: shared.clone(),
                    login: login.clone(),
                    current: Received::default(),
                };
                let builder = builder.clone();
                std::thread::spawn(move || serve(stream, &builder, handler));
            }
        });
        Smtp { addr, state }
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn messages(&self) -> Vec<Received> {
        self.state.lock().expect("smtp state").messages.clone()
    }

    pub fn refused_logins(&self) -> usize {
        self.state.lock().expect("smtp state").refused_logins
    }
}

/// A loopback port with nothing listening on it: a mail server that is down.
pub fn down_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    drop(l);
    format!("smtp://{addr}")
}

fn serve(stream: TcpStream, builder: &SessionBuilder, handler: Mail) {
    let ip = stream
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut out = std::io::BufWriter::new(write_half);
    let mut input = BufReader::new(stream);
    let mut session = builder.build(ip, handler);
    if session.greeting().write_to(&mut out).is_err() || out.flush().is_err() {
        return;
    }
    let mut line = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let res = session.process(&line);
        match res.action {
            Action::NoReply => continue,
            Action::Reply => {
                if res.write_to(&mut out).is_err() || out.flush().is_err() {
                    return;
                }
            }
            Action::Close | Action::UpgradeTls => {
                let _ = res.write_to(&mut out);
                let _ = out.flush();
                return;
            }
        }
    }
}

struct Mail {
    state: Arc<Mutex<State>>,
    login: Option<(String, String)>,
    current: Received,
}

impl Mail {
    fn check(&mut self, user: &str, password: &str) -> Response {
        match &self.login {
            Some((u, p)) if u == user && p == password => response::AUTH_OK,
            _ => {
                self.state.lock().expect("smtp state").refused_logins += 1;
                response::INVALID_CREDENTIALS
            }
        }
    }
}

impl Handler for Mail {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        self.current = Received {
            from: from.to_string(),
            ..Received::default()
        };
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        self.current.to.push(to.to_string());
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let done = std::mem::take(&mut self.current);
        self.state.lock().expect("smtp state").messages.push(done);
        response::OK
    }

    fn auth_plain(&mut self, _authz: &str, user: &str, password: &str) -> Response {
        self.check(user, password)
    }

    fn auth_login(&mut self, user: &str, password: &str) -> Response {
        self.check(user, password)
    }
}

/// A received message parsed: its decoded subject, text body and attachments.
pub struct Parsed {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<(String, Vec<u8>)>,
}

pub fn parse(data: &[u8]) -> Parsed {
    use mailparse::MailHeaderMap;
    let mail = mailparse::parse_mail(data).expect("a MIME message");
    let subject = mail.headers.get_first_value("Subject").unwrap_or_default();
    let mut parsed = Parsed {
        subject,
        text: String::new(),
        html: String::new(),
        attachments: Vec::new(),
    };
    walk(&mail, &mut parsed);
    parsed
}

fn walk(part: &mailparse::ParsedMail<'_>, out: &mut Parsed) {
    if !part.subparts.is_empty() {
        for p in &part.subparts {
            walk(p, out);
        }
        return;
    }
    let disposition = part.get_content_disposition();
    if let Some(name) = disposition.params.get("filename") {
        out.attachments
            .push((name.clone(), part.get_body_raw().expect("attachment body")));
    } else if part.ctype.mimetype == "text/html" {
        out.html = part.get_body().expect("html body");
    } else if part.ctype.mimetype == "text/plain" {
        out.text = part.get_body().expect("text body");
    }
}
