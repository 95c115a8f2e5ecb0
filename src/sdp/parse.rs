//! Text to [`Session`]: strict where we rely on a field (`v=`, `o=`, `c=`,
//! `m=`), lenient with the lines we only pass on.

use super::{Address, Family, Line, Media, Origin, Session};

/// Why a description was refused: the line (1-based) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SDP line {line}: {reason}")]
pub struct SdpError {
    pub line: usize,
    pub reason: String,
}

fn error(line: usize, reason: impl Into<String>) -> SdpError {
    SdpError {
        line,
        reason: reason.into(),
    }
}

/// Parses a session description. Lines may end in CRLF or LF; trailing
/// empty lines are ignored.
pub fn parse(text: &str) -> Result<Session, SdpError> {
    let mut lines = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.is_empty())
        .peekable();
    let mut next_typed = |want: char| -> Result<(usize, &str), SdpError> {
        let (n, line) = lines
            .next()
            .ok_or_else(|| error(0, format!("ends before its {want}= line")))?;
        match typed(n, line)? {
            (kind, value) if kind == want => Ok((n, value)),
            (kind, _) => Err(error(n, format!("{kind}= where {want}= must come"))),
        }
    };
    let (n, version) = next_typed('v')?;
    if version != "0" {
        return Err(error(n, format!("version {version:?}, not 0")));
    }
    let (n, origin) = next_typed('o')?;
    let origin = parse_origin(n, origin)?;
    let (_, name) = next_typed('s')?;
    let mut session = Session {
        origin,
        name: name.to_string(),
        connection: None,
        lines: Vec::new(),
        media: Vec::new(),
    };
    for (n, line) in lines {
        let (kind, value) = typed(n, line)?;
        let media = session.media.last_mut();
        match (kind, media) {
            ('m', _) => session.media.push(parse_media(n, value)?),
            ('c', None) => session.connection = Some(parse_address(n, value)?),
            ('c', Some(media)) => media.connection = Some(parse_address(n, value)?),
            ('v' | 'o' | 's', _) => return Err(error(n, format!("a second {kind}= line"))),
            (kind, None) => session.lines.push(Line {
                kind,
                value: value.to_string(),
            }),
            (kind, Some(media)) => media.lines.push(Line {
                kind,
                value: value.to_string(),
            }),
        }
    }
    Ok(session)
}

/// `x=value` with a lower-case letter for x.
fn typed(n: usize, line: &str) -> Result<(char, &str), SdpError> {
    let mut chars = line.chars();
    match (chars.next(), chars.next()) {
        (Some(kind), Some('=')) if kind.is_ascii_lowercase() => Ok((kind, &line[2..])),
        _ => Err(error(n, format!("{line:?} is not a type=value line"))),
    }
}

fn parse_origin(n: usize, value: &str) -> Result<Origin, SdpError> {
    let fields: Vec<&str> = value.split(' ').collect();
    let [username, session_id, version, nettype, addrtype, host] = fields[..] else {
        return Err(error(n, "o= needs six fields"));
    };
    Ok(Origin {
        username: username.to_string(),
        session_id: session_id.to_string(),
        version: version
            .parse()
            .map_err(|_| error(n, format!("o= version {version:?} is not a number")))?,
        address: address(n, nettype, addrtype, host)?,
    })
}

fn parse_address(n: usize, value: &str) -> Result<Address, SdpError> {
    let fields: Vec<&str> = value.split(' ').collect();
    let [nettype, addrtype, host] = fields[..] else {
        return Err(error(n, "c= needs three fields"));
    };
    address(n, nettype, addrtype, host)
}

fn address(n: usize, nettype: &str, addrtype: &str, host: &str) -> Result<Address, SdpError> {
    if nettype != "IN" {
        return Err(error(n, format!("network type {nettype:?}, not IN")));
    }
    let family = match addrtype {
        "IP4" => Family::Ip4,
        "IP6" => Family::Ip6,
        other => return Err(error(n, format!("address type {other:?}, not IP4 or IP6"))),
    };
    if host.is_empty() {
        return Err(error(n, "an empty address"));
    }
    Ok(Address {
        family,
        host: host.to_string(),
    })
}

fn parse_media(n: usize, value: &str) -> Result<Media, SdpError> {
    let mut fields = value.split(' ').filter(|f| !f.is_empty());
    let (Some(kind), Some(port), Some(proto)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err(error(n, "m= needs a media type, a port and a protocol"));
    };
    let (port, port_count) = match port.split_once('/') {
        Some((port, count)) => (port, Some(count)),
        None => (port, None),
    };
    let number = |text: &str| {
        text.parse::<u16>()
            .map_err(|_| error(n, format!("m= port {text:?} is not a port number")))
    };
    Ok(Media {
        kind: kind.to_string(),
        port: number(port)?,
        port_count: port_count.map(number).transpose()?,
        proto: proto.to_string(),
        formats: fields.map(str::to_string).collect(),
        connection: None,
        lines: Vec::new(),
    })
}
