//! Cutting SIP messages out of a byte stream (TCP and TLS; WebSocket frames
//! carry one message each and need none of this).
//!
//! A stream message ends where its Content-Length says (RFC 3261 §18.3), so
//! the header is mandatory here. Keep-alives are CRLFs between messages
//! (RFC 5626 §3.5.1): a double CRLF is a ping the server answers with a
//! single CRLF pong. The decoder is pure: it looks at a buffer and says how
//! much of it makes a frame, or that it needs more bytes.

use super::message::MAX_MESSAGE_BYTES;

/// One unit cut from the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A whole message, head and body.
    Message(Vec<u8>),
    /// CRLFCRLF: the peer asks for a pong to keep its flow alive.
    Ping,
}

/// The stream cannot be resynchronised after these: the connection closes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("message head or body exceeds {MAX_MESSAGE_BYTES} bytes")]
    TooLarge,
    #[error("a message on a stream needs a valid Content-Length")]
    BadContentLength,
}

/// The reply to a [`Frame::Ping`].
pub const PONG: &[u8] = b"\r\n";

/// Takes the next frame off the front of `buffer`, or `Ok(None)` when the
/// buffer holds only part of one.
pub fn decode(buffer: &mut Vec<u8>) -> Result<Option<Frame>, FrameError> {
    loop {
        if buffer.starts_with(b"\r\n\r\n") {
            buffer.drain(..4);
            return Ok(Some(Frame::Ping));
        }
        match buffer.as_slice() {
            // Could still become a ping.
            b"\r\n" | b"\r\n\r" | b"\r" => return Ok(None),
            // A lone CRLF (a pong, or padding before a start line) is skipped.
            [b'\r', b'\n', ..] => {
                buffer.drain(..2);
            }
            _ => break,
        }
    }
    let Some(head_end) = find(buffer, b"\r\n\r\n") else {
        return if buffer.len() > MAX_MESSAGE_BYTES {
            Err(FrameError::TooLarge)
        } else {
            Ok(None)
        };
    };
    let length = content_length(&buffer[..head_end]).ok_or(FrameError::BadContentLength)?;
    let total = head_end + 4 + length;
    if total > MAX_MESSAGE_BYTES {
        return Err(FrameError::TooLarge);
    }
    if buffer.len() < total {
        return Ok(None);
    }
    let rest = buffer.split_off(total);
    Ok(Some(Frame::Message(std::mem::replace(buffer, rest))))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The Content-Length of a message head (long or compact name, §7.3.3).
fn content_length(head: &[u8]) -> Option<usize> {
    let head = std::str::from_utf8(head).ok()?;
    head.split("\r\n").skip(1).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        let name = name.trim();
        (name.eq_ignore_ascii_case("content-length") || name == "l")
            .then(|| value.trim().parse().ok())?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: &[u8] = b"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 5\r\n\r\nhello";

    #[test]
    fn cuts_back_to_back_messages_and_keeps_the_rest() {
        let mut buffer = [OPTIONS, OPTIONS, b"OPT"].concat();
        assert_eq!(
            decode(&mut buffer),
            Ok(Some(Frame::Message(OPTIONS.to_vec())))
        );
        assert_eq!(
            decode(&mut buffer),
            Ok(Some(Frame::Message(OPTIONS.to_vec())))
        );
        assert_eq!(decode(&mut buffer), Ok(None));
        assert_eq!(buffer, b"OPT");
    }

    #[test]
    fn waits_for_a_body_that_arrives_byte_by_byte() {
        let mut buffer = Vec::new();
        for (i, byte) in OPTIONS.iter().enumerate() {
            buffer.push(*byte);
            let frame = decode(&mut buffer).unwrap();
            if i + 1 < OPTIONS.len() {
                assert_eq!(frame, None, "after {} bytes", i + 1);
            } else {
                assert_eq!(frame, Some(Frame::Message(OPTIONS.to_vec())));
            }
        }
        assert!(buffer.is_empty());
    }

    #[test]
    fn a_double_crlf_is_a_ping_and_a_single_one_is_skipped() {
        let mut buffer = [b"\r\n\r\n".as_slice(), b"\r\n", OPTIONS].concat();
        assert_eq!(decode(&mut buffer), Ok(Some(Frame::Ping)));
        assert_eq!(
            decode(&mut buffer),
            Ok(Some(Frame::Message(OPTIONS.to_vec())))
        );
        let mut half = b"\r\n".to_vec();
        assert_eq!(decode(&mut half), Ok(None));
        half.extend_from_slice(b"\r\n");
        assert_eq!(decode(&mut half), Ok(Some(Frame::Ping)));
    }

    #[test]
    fn compact_content_length_is_understood() {
        let message = b"BYE sip:a@b SIP/2.0\r\nl: 2\r\n\r\nhi";
        let mut buffer = message.to_vec();
        assert_eq!(
            decode(&mut buffer),
            Ok(Some(Frame::Message(message.to_vec())))
        );
    }

    #[test]
    fn a_stream_message_without_a_usable_length_closes_the_stream() {
        let mut missing = b"BYE sip:a@b SIP/2.0\r\nTo: <sip:a@b>\r\n\r\n".to_vec();
        assert_eq!(decode(&mut missing), Err(FrameError::BadContentLength));
        let mut garbage = b"BYE sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n".to_vec();
        assert_eq!(decode(&mut garbage), Err(FrameError::BadContentLength));
    }

    #[test]
    fn oversized_heads_and_bodies_are_refused_without_buffering_them() {
        let mut endless_head = vec![b'a'; MAX_MESSAGE_BYTES + 1];
        assert_eq!(decode(&mut endless_head), Err(FrameError::TooLarge));
        let mut huge_body =
            b"MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 999999999\r\n\r\n".to_vec();
        assert_eq!(decode(&mut huge_body), Err(FrameError::TooLarge));
    }
}
