//! Phone numbers, parsed once at the edge to E.164 while keeping the text as
//! the user (or the PBX) wrote it. Every lookup compares E.164 strings.

use std::fmt;

use phonenumber::country;

/// The region used for numbers written without an international prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(country::Id);

impl Region {
    /// Parses an ISO 3166-1 alpha-2 code such as `US`, `DE` or `RU`.
    pub fn parse(code: &str) -> Result<Self, PhoneError> {
        code.trim()
            .to_ascii_uppercase()
            .parse::<country::Id>()
            .map(Region)
            .map_err(|_| PhoneError::UnknownRegion(code.to_string()))
    }
}

impl Default for Region {
    fn default() -> Self {
        Region(country::Id::US)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("is empty")]
    Empty,
    #[error("is not a phone number")]
    Unparsable,
    #[error("is not a valid number for its country")]
    Invalid,
    #[error("unknown region code {0:?}")]
    UnknownRegion(String),
}

/// A phone number: the text as entered and its E.164 form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    entered: String,
    e164: String,
}

impl Phone {
    /// Parses any common written form (`+49 30 1234567`, `(202) 555-0143`,
    /// `8 (495) 123-45-67`, `00 44 20 7946 0958`) with `region` for national forms.
    pub fn parse(text: &str, region: Region) -> Result<Self, PhoneError> {
        let entered = text.trim();
        if entered.is_empty() {
            return Err(PhoneError::Empty);
        }
        // An international form carries its own country. Passing the default
        // region anyway makes the `phonenumber` crate misread some of them
        // (`+33 1 47 66 40 32` is invalid with region US, valid without).
        let region = (!entered.starts_with('+')).then_some(region.0);
        let number = phonenumber::parse(region, entered).map_err(|_| PhoneError::Unparsable)?;
        if !phonenumber::is_valid(&number) {
            return Err(PhoneError::Invalid);
        }
        let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
        Ok(Phone {
            entered: entered.to_string(),
            e164,
        })
    }

    /// Rebuilds a phone from storage, where both forms were parsed before.
    pub fn from_stored(entered: String, e164: String) -> Self {
        Phone { entered, e164 }
    }

    pub fn entered(&self) -> &str {
        &self.entered
    }

    pub fn e164(&self) -> &str {
        &self.e164
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_forms_of_several_countries_reach_the_same_e164() {
        let us = Region::parse("US").unwrap();
        let de = Region::parse("de").unwrap();
        let ru = Region::parse("RU").unwrap();
        assert_eq!(
            Phone::parse("(202) 555-0143", us).unwrap().e164(),
            "+12025550143"
        );
        assert_eq!(
            Phone::parse("+1 202 555 0143", de).unwrap().e164(),
            "+12025550143"
        );
        assert_eq!(
            Phone::parse("030 1234567", de).unwrap().e164(),
            "+49301234567"
        );
        assert_eq!(
            Phone::parse("8 (495) 123-45-67", ru).unwrap().e164(),
            "+74951234567"
        );
        assert_eq!(
            Phone::parse("00 44 20 7946 0958", de).unwrap().e164(),
            "+442079460958"
        );
    }

    #[test]
    fn international_forms_do_not_depend_on_the_default_region() {
        for region in ["US", "FR", "DE"] {
            let region = Region::parse(region).unwrap();
            assert_eq!(
                Phone::parse("+33 1 47 66 40 32", region).unwrap().e164(),
                "+33147664032"
            );
        }
    }

    #[test]
    fn keeps_the_text_as_entered() {
        let phone = Phone::parse("  (202) 555-0143 ", Region::default()).unwrap();
        assert_eq!(phone.entered(), "(202) 555-0143");
    }

    #[test]
    fn rejects_text_that_is_no_number() {
        assert_eq!(Phone::parse("", Region::default()), Err(PhoneError::Empty));
        assert!(Phone::parse("call me maybe", Region::default()).is_err());
        assert_eq!(
            Phone::parse("123", Region::default()),
            Err(PhoneError::Invalid)
        );
    }

    #[test]
    fn unknown_region_is_an_error() {
        assert!(Region::parse("XX").is_err());
    }
}
