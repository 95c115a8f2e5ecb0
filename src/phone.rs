//! Phone numbers, parsed once at the edge to E.164 while keeping the text as
//! the user (or the PBX) wrote it. Every lookup compares E.164 strings.

pub mod address_zones;
pub mod zones;

use std::fmt;

use rlibphonenumber::{PHONE_NUMBER_UTIL, PhoneNumberFormat};

/// The region used for numbers written without an international prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(rlibphonenumber::enums::Region);

impl Region {
    /// Parses an ISO 3166-1 alpha-2 code such as `US`, `DE` or `RU`.
    pub fn parse(code: &str) -> Result<Self, PhoneError> {
        // Any two letters make a `Region` value; only those with numbering
        // metadata have a country code.
        code.trim()
            .to_ascii_uppercase()
            .parse::<rlibphonenumber::enums::Region>()
            .ok()
            .filter(|region| {
                PHONE_NUMBER_UTIL
                    .get_country_code_for_region(*region)
                    .is_some()
            })
            .map(Region)
            .ok_or_else(|| PhoneError::UnknownRegion(code.to_string()))
    }
}

impl Default for Region {
    fn default() -> Self {
        Region(rlibphonenumber::enums::Region::US)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
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
        // rlibphonenumber (a port of Google's libphonenumber that matches its
        // C++ results) rather than the `phonenumber` crate: that one misread
        // some international forms under a default region and, behind one
        // locked 100-entry regex cache, parsed a CSV import's numbers several
        // times slower.
        let number = PHONE_NUMBER_UTIL
            .parse(entered, Some(region.0))
            .map_err(|_| PhoneError::Unparsable)?;
        if !number.is_valid() {
            return Err(PhoneError::Invalid);
        }
        let e164 = number.format_as(PhoneNumberFormat::E164).to_string();
        Ok(Phone {
            entered: entered.to_string(),
            e164,
        })
    }

    /// Rebuilds a phone from storage, where both forms were parsed before.
    pub fn from_stored(entered: String, e164: String) -> Self {
        Phone { entered, e164 }
    }

    /// The national form of an E.164 number, digits only with the trunk
    /// prefix (`+49301234567` → `0301234567`), as some PBXs want it dialled.
    pub fn national_digits(e164: &str) -> Option<String> {
        let number = PHONE_NUMBER_UTIL.parse(e164, None).ok()?;
        let text = number.format_as(PhoneNumberFormat::National).to_string();
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        (!digits.is_empty()).then_some(digits)
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
    fn national_digits_carry_the_trunk_prefix() {
        assert_eq!(
            Phone::national_digits("+49301234567").as_deref(),
            Some("0301234567")
        );
        assert_eq!(
            Phone::national_digits("+12025550143").as_deref(),
            Some("2025550143")
        );
        assert_eq!(Phone::national_digits("not a number"), None);
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
        assert!(Region::parse("ZZ").is_err());
    }
}
