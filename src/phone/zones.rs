//! The time zone a phone number most likely rings in, so that the outbound
//! dialler can keep to calling hours in the subscriber's local time.
//!
//! The tables come from general knowledge of the numbering plans (ITU country
//! codes, NANP area codes, the national plans of the countries that span
//! several zones), not from a carrier feed: correct them as carriers report
//! numbers in the wrong zone. A number maps to the zone where most subscribers
//! of its country, or of its area code, are.
//!
//! A country that spans several zones gives `None` when the number does not
//! tell which (mobile numbers carry no area in most countries) and the caller
//! falls back to the campaign's zone. The exception is a country whose other
//! zones hold about 1% of its people or less (Chile, Ecuador, Greenland, New
//! Zealand): its numbers map to the main zone.
//!
//! Every zone is a `Tz` constant, so a misspelt zone does not compile.

use chrono_tz::Tz;

/// E.164 allows at most 15 digits; the shortest numbers in use (small Pacific
/// islands) have 7 with their country code.
const MIN_DIGITS: usize = 7;
const MAX_DIGITS: usize = 15;

const EASTERN: Tz = Tz::America__New_York;
const CENTRAL: Tz = Tz::America__Chicago;
const MOUNTAIN: Tz = Tz::America__Denver;
const PACIFIC: Tz = Tz::America__Los_Angeles;
const MOSCOW: Tz = Tz::Europe__Moscow;
const SAO_PAULO: Tz = Tz::America__Sao_Paulo;

/// The time zone of an E.164 number ("+" and digits), if the number tells it.
pub fn time_zone_of(e164: &str) -> Option<Tz> {
    let digits = e164.strip_prefix('+')?;
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits.len())
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    // Country codes are prefix-free, so at most one length matches; trying
    // the longest first would still pick `+1 242` over `+1` if they were not.
    let (plan, national) = (1..=3).rev().find_map(|len| {
        let (code, national) = digits.split_at(len);
        country(code).map(|plan| (plan, national))
    })?;
    match plan {
        Plan::One(zone) => Some(zone),
        Plan::ByNumber(zone_of) => zone_of(national),
    }
}

/// How a country code leads to a zone.
#[derive(Clone, Copy)]
enum Plan {
    /// The whole country keeps one clock.
    One(Tz),
    /// The zone depends on the national number (the digits after the code).
    ByNumber(fn(&str) -> Option<Tz>),
}

/// The plan of a country calling code (1 to 3 digits), if it is one we know.
fn country(code: &str) -> Option<Plan> {
    use Plan::{ByNumber, One};
    let plan = match code {
        // North America and the Caribbean; Russia and Kazakhstan.
        "1" => ByNumber(nanp),
        "7" => ByNumber(russia_kazakhstan),

        // Europe
        "30" => One(Tz::Europe__Athens),       // Greece
        "31" => One(Tz::Europe__Amsterdam),    // Netherlands
        "32" => One(Tz::Europe__Brussels),     // Belgium
        "33" => One(Tz::Europe__Paris),        // France (overseas have own codes)
        "34" => ByNumber(spain),               // Spain, Canary Islands
        "350" => One(Tz::Europe__Gibraltar),   // Gibraltar
        "351" => ByNumber(portugal),           // Portugal, Madeira, Azores
        "352" => One(Tz::Europe__Luxembourg),  // Luxembourg
        "353" => One(Tz::Europe__Dublin),      // Ireland
        "354" => One(Tz::Atlantic__Reykjavik), // Iceland
        "355" => One(Tz::Europe__Tirane),      // Albania
        "356" => One(Tz::Europe__Malta),       // Malta
        "357" => One(Tz::Asia__Nicosia),       // Cyprus
        "358" => One(Tz::Europe__Helsinki),    // Finland, Åland
        "359" => One(Tz::Europe__Sofia),       // Bulgaria
        "36" => One(Tz::Europe__Budapest),     // Hungary
        "370" => One(Tz::Europe__Vilnius),     // Lithuania
        "371" => One(Tz::Europe__Riga),        // Latvia
        "372" => One(Tz::Europe__Tallinn),     // Estonia
        "373" => One(Tz::Europe__Chisinau),    // Moldova
        "374" => One(Tz::Asia__Yerevan),       // Armenia
        "375" => One(Tz::Europe__Minsk),       // Belarus
        "376" => One(Tz::Europe__Andorra),     // Andorra
        "377" => One(Tz::Europe__Monaco),      // Monaco
        "378" => One(Tz::Europe__San_Marino),  // San Marino
        "380" => One(Tz::Europe__Kyiv),        // Ukraine
        "381" => One(Tz::Europe__Belgrade),    // Serbia
        "382" => One(Tz::Europe__Podgorica),   // Montenegro
        "383" => One(Tz::Europe__Belgrade),    // Kosovo (no zone of its own)
        "385" => One(Tz::Europe__Zagreb),      // Croatia
        "386" => One(Tz::Europe__Ljubljana),   // Slovenia
        "387" => One(Tz::Europe__Sarajevo),    // Bosnia and Herzegovina
        "389" => One(Tz::Europe__Skopje),      // North Macedonia
        "39" => One(Tz::Europe__Rome),         // Italy, Vatican
        "40" => One(Tz::Europe__Bucharest),    // Romania
        "41" => One(Tz::Europe__Zurich),       // Switzerland
        "420" => One(Tz::Europe__Prague),      // Czechia
        "421" => One(Tz::Europe__Bratislava),  // Slovakia
        "423" => One(Tz::Europe__Vaduz),       // Liechtenstein
        "43" => One(Tz::Europe__Vienna),       // Austria
        "44" => One(Tz::Europe__London),       // UK, Channel Islands, Isle of Man
        "45" => One(Tz::Europe__Copenhagen),   // Denmark
        "46" => One(Tz::Europe__Stockholm),    // Sweden
        "47" => One(Tz::Europe__Oslo),         // Norway
        "48" => One(Tz::Europe__Warsaw),       // Poland
        "49" => One(Tz::Europe__Berlin),       // Germany
        "298" => One(Tz::Atlantic__Faroe),     // Faroe Islands
        "299" => One(Tz::America__Nuuk),       // Greenland
        "90" => ByNumber(turkey),              // Turkey, Northern Cyprus

        // Middle East, Caucasus, Central and South Asia
        "20" => One(Tz::Africa__Cairo),     // Egypt
        "92" => One(Tz::Asia__Karachi),     // Pakistan
        "93" => One(Tz::Asia__Kabul),       // Afghanistan
        "94" => One(Tz::Asia__Colombo),     // Sri Lanka
        "95" => One(Tz::Asia__Yangon),      // Myanmar
        "960" => One(Tz::Indian__Maldives), // Maldives
        "961" => One(Tz::Asia__Beirut),     // Lebanon
        "962" => One(Tz::Asia__Amman),      // Jordan
        "963" => One(Tz::Asia__Damascus),   // Syria
        "964" => One(Tz::Asia__Baghdad),    // Iraq
        "965" => One(Tz::Asia__Kuwait),     // Kuwait
        "966" => One(Tz::Asia__Riyadh),     // Saudi Arabia
        "967" => One(Tz::Asia__Aden),       // Yemen
        "968" => One(Tz::Asia__Muscat),     // Oman
        "970" => ByNumber(palestine),       // Palestine
        "971" => One(Tz::Asia__Dubai),      // United Arab Emirates
        "972" => One(Tz::Asia__Jerusalem),  // Israel
        "973" => One(Tz::Asia__Bahrain),    // Bahrain
        "974" => One(Tz::Asia__Qatar),      // Qatar
        "975" => One(Tz::Asia__Thimphu),    // Bhutan
        "977" => One(Tz::Asia__Kathmandu),  // Nepal
        "98" => One(Tz::Asia__Tehran),      // Iran
        "992" => One(Tz::Asia__Dushanbe),   // Tajikistan
        "993" => One(Tz::Asia__Ashgabat),   // Turkmenistan
        "994" => One(Tz::Asia__Baku),       // Azerbaijan
        "995" => One(Tz::Asia__Tbilisi),    // Georgia
        "996" => One(Tz::Asia__Bishkek),    // Kyrgyzstan
        "998" => One(Tz::Asia__Tashkent),   // Uzbekistan
        "91" => One(Tz::Asia__Kolkata),     // India
        "880" => One(Tz::Asia__Dhaka),      // Bangladesh

        // East and South-East Asia
        "81" => One(Tz::Asia__Tokyo),        // Japan
        "82" => One(Tz::Asia__Seoul),        // South Korea
        "84" => One(Tz::Asia__Ho_Chi_Minh),  // Vietnam
        "850" => One(Tz::Asia__Pyongyang),   // North Korea
        "852" => One(Tz::Asia__Hong_Kong),   // Hong Kong
        "853" => One(Tz::Asia__Macau),       // Macau
        "855" => One(Tz::Asia__Phnom_Penh),  // Cambodia
        "856" => One(Tz::Asia__Vientiane),   // Laos
        "86" => One(Tz::Asia__Shanghai),     // China (one official zone)
        "886" => One(Tz::Asia__Taipei),      // Taiwan
        "60" => One(Tz::Asia__Kuala_Lumpur), // Malaysia, Sabah, Sarawak
        "62" => ByNumber(indonesia),         // Indonesia
        "63" => One(Tz::Asia__Manila),       // Philippines
        "65" => One(Tz::Asia__Singapore),    // Singapore
        "66" => One(Tz::Asia__Bangkok),      // Thailand
        "670" => One(Tz::Asia__Dili),        // Timor-Leste
        "673" => One(Tz::Asia__Brunei),      // Brunei

        // Oceania
        "61" => ByNumber(australia),            // Australia
        "64" => ByNumber(new_zealand),          // New Zealand, Chatham Islands
        "674" => One(Tz::Pacific__Nauru),       // Nauru
        "676" => One(Tz::Pacific__Tongatapu),   // Tonga
        "677" => One(Tz::Pacific__Guadalcanal), // Solomon Islands
        "678" => One(Tz::Pacific__Efate),       // Vanuatu
        "679" => One(Tz::Pacific__Fiji),        // Fiji
        "680" => One(Tz::Pacific__Palau),       // Palau
        "681" => One(Tz::Pacific__Wallis),      // Wallis and Futuna
        "682" => One(Tz::Pacific__Rarotonga),   // Cook Islands
        "683" => One(Tz::Pacific__Niue),        // Niue
        "685" => One(Tz::Pacific__Apia),        // Samoa
        "687" => One(Tz::Pacific__Noumea),      // New Caledonia
        "688" => One(Tz::Pacific__Funafuti),    // Tuvalu
        "690" => One(Tz::Pacific__Fakaofo),     // Tokelau
        "692" => One(Tz::Pacific__Majuro),      // Marshall Islands

        // Africa and the Indian Ocean
        "211" => One(Tz::Africa__Juba),         // South Sudan
        "212" => One(Tz::Africa__Casablanca),   // Morocco
        "213" => One(Tz::Africa__Algiers),      // Algeria
        "216" => One(Tz::Africa__Tunis),        // Tunisia
        "218" => One(Tz::Africa__Tripoli),      // Libya
        "220" => One(Tz::Africa__Banjul),       // Gambia
        "221" => One(Tz::Africa__Dakar),        // Senegal
        "222" => One(Tz::Africa__Nouakchott),   // Mauritania
        "223" => One(Tz::Africa__Bamako),       // Mali
        "224" => One(Tz::Africa__Conakry),      // Guinea
        "225" => One(Tz::Africa__Abidjan),      // Côte d'Ivoire
        "226" => One(Tz::Africa__Ouagadougou),  // Burkina Faso
        "227" => One(Tz::Africa__Niamey),       // Niger
        "228" => One(Tz::Africa__Lome),         // Togo
        "229" => One(Tz::Africa__PortoNovo),    // Benin
        "230" => One(Tz::Indian__Mauritius),    // Mauritius
        "231" => One(Tz::Africa__Monrovia),     // Liberia
        "232" => One(Tz::Africa__Freetown),     // Sierra Leone
        "233" => One(Tz::Africa__Accra),        // Ghana
        "234" => One(Tz::Africa__Lagos),        // Nigeria
        "235" => One(Tz::Africa__Ndjamena),     // Chad
        "236" => One(Tz::Africa__Bangui),       // Central African Republic
        "237" => One(Tz::Africa__Douala),       // Cameroon
        "238" => One(Tz::Atlantic__Cape_Verde), // Cape Verde
        "239" => One(Tz::Africa__Sao_Tome),     // São Tomé and Príncipe
        "240" => One(Tz::Africa__Malabo),       // Equatorial Guinea
        "241" => One(Tz::Africa__Libreville),   // Gabon
        "242" => One(Tz::Africa__Brazzaville),  // Republic of the Congo
        // 243, DR Congo: Kinshasa and Lubumbashi time, not told by number.
        "244" => One(Tz::Africa__Luanda),        // Angola
        "245" => One(Tz::Africa__Bissau),        // Guinea-Bissau
        "246" => One(Tz::Indian__Chagos),        // Diego Garcia
        "248" => One(Tz::Indian__Mahe),          // Seychelles
        "249" => One(Tz::Africa__Khartoum),      // Sudan
        "250" => One(Tz::Africa__Kigali),        // Rwanda
        "251" => One(Tz::Africa__Addis_Ababa),   // Ethiopia
        "252" => One(Tz::Africa__Mogadishu),     // Somalia
        "253" => One(Tz::Africa__Djibouti),      // Djibouti
        "254" => One(Tz::Africa__Nairobi),       // Kenya
        "255" => One(Tz::Africa__Dar_es_Salaam), // Tanzania
        "256" => One(Tz::Africa__Kampala),       // Uganda
        "257" => One(Tz::Africa__Bujumbura),     // Burundi
        "258" => One(Tz::Africa__Maputo),        // Mozambique
        "260" => One(Tz::Africa__Lusaka),        // Zambia
        "261" => One(Tz::Indian__Antananarivo),  // Madagascar
        "262" => ByNumber(reunion_mayotte),      // Réunion, Mayotte
        "263" => One(Tz::Africa__Harare),        // Zimbabwe
        "264" => One(Tz::Africa__Windhoek),      // Namibia
        "265" => One(Tz::Africa__Blantyre),      // Malawi
        "266" => One(Tz::Africa__Maseru),        // Lesotho
        "267" => One(Tz::Africa__Gaborone),      // Botswana
        "268" => One(Tz::Africa__Mbabane),       // Eswatini
        "269" => One(Tz::Indian__Comoro),        // Comoros
        "27" => One(Tz::Africa__Johannesburg),   // South Africa
        "290" => One(Tz::Atlantic__St_Helena),   // Saint Helena
        "291" => One(Tz::Africa__Asmara),        // Eritrea

        // Latin America (NANP members of the Caribbean are under `nanp`)
        "297" => One(Tz::America__Aruba),                  // Aruba
        "500" => One(Tz::Atlantic__Stanley),               // Falkland Islands
        "501" => One(Tz::America__Belize),                 // Belize
        "502" => One(Tz::America__Guatemala),              // Guatemala
        "503" => One(Tz::America__El_Salvador),            // El Salvador
        "504" => One(Tz::America__Tegucigalpa),            // Honduras
        "505" => One(Tz::America__Managua),                // Nicaragua
        "506" => One(Tz::America__Costa_Rica),             // Costa Rica
        "507" => One(Tz::America__Panama),                 // Panama
        "508" => One(Tz::America__Miquelon),               // Saint Pierre and Miquelon
        "509" => One(Tz::America__PortauPrince),           // Haiti
        "51" => One(Tz::America__Lima),                    // Peru
        "52" => ByNumber(mexico),                          // Mexico
        "53" => One(Tz::America__Havana),                  // Cuba
        "54" => One(Tz::America__Argentina__Buenos_Aires), // Argentina
        "55" => ByNumber(brazil),                          // Brazil
        "56" => ByNumber(chile),                           // Chile
        "57" => One(Tz::America__Bogota),                  // Colombia
        "58" => One(Tz::America__Caracas),                 // Venezuela
        "590" => One(Tz::America__Guadeloupe),             // Guadeloupe, St Barth, St Martin
        "591" => One(Tz::America__La_Paz),                 // Bolivia
        "592" => One(Tz::America__Guyana),                 // Guyana
        "593" => One(Tz::America__Guayaquil),              // Ecuador (Galápagos: 0.2%)
        "594" => One(Tz::America__Cayenne),                // French Guiana
        "595" => One(Tz::America__Asuncion),               // Paraguay
        "596" => One(Tz::America__Martinique),             // Martinique
        "597" => One(Tz::America__Paramaribo),             // Suriname
        "598" => One(Tz::America__Montevideo),             // Uruguay
        "599" => One(Tz::America__Curacao),                // Curaçao, Caribbean Netherlands

        // Not listed: multi-zone countries whose numbers do not tell the
        // zone (DR Congo, Kiribati, Micronesia, Mongolia, Papua New Guinea,
        // French Polynesia) and non-geographic codes (800, 808, 870, 881..).
        _ => return None,
    };
    Some(plan)
}

/// North American Numbering Plan: ten digits, the first three the area code.
fn nanp(national: &str) -> Option<Tz> {
    if national.len() != 10 {
        return None;
    }
    let area: u16 = national[..3].parse().ok()?;
    let zone = match area {
        // ---- United States, Eastern time (Indiana and Michigan included) ----
        // Connecticut
        203 | 475 | 860 | 959 => EASTERN,
        // Delaware; District of Columbia
        302 | 202 | 771 => EASTERN,
        // Florida, but the western panhandle
        239 | 305 | 321 | 324 | 352 | 386 | 407 | 561 | 645 | 656 | 689 | 727 | 728 | 754 | 772
        | 786 | 813 | 863 | 904 | 941 | 954 => EASTERN,
        // Georgia
        229 | 404 | 470 | 478 | 678 | 706 | 762 | 770 | 912 | 943 => EASTERN,
        // Indiana but the north-west (812: Evansville is Central, most is not)
        260 | 317 | 463 | 574 | 765 | 812 | 930 => EASTERN,
        // Kentucky, east
        502 | 606 | 859 => EASTERN,
        // Maine
        207 => EASTERN,
        // Maryland
        227 | 240 | 301 | 410 | 443 | 667 => EASTERN,
        // Massachusetts
        339 | 351 | 413 | 508 | 617 | 774 | 781 | 857 | 978 => EASTERN,
        // Michigan (906: four Upper Peninsula counties are Central)
        231 | 248 | 269 | 313 | 517 | 586 | 616 | 679 | 734 | 810 | 906 | 947 | 989 => EASTERN,
        // New Hampshire
        603 => EASTERN,
        // New Jersey
        201 | 551 | 609 | 640 | 732 | 848 | 856 | 862 | 908 | 973 => EASTERN,
        // New York
        212 | 315 | 329 | 332 | 347 | 363 | 516 | 518 | 585 | 607 | 624 | 631 | 646 | 680 | 716
        | 718 | 838 | 845 | 914 | 917 | 929 | 934 => EASTERN,
        // North Carolina
        252 | 336 | 472 | 704 | 743 | 828 | 910 | 919 | 980 | 984 => EASTERN,
        // Ohio
        216 | 220 | 234 | 283 | 326 | 330 | 380 | 419 | 436 | 440 | 513 | 567 | 614 | 740 | 937 => {
            EASTERN
        }
        // Pennsylvania
        215 | 223 | 267 | 272 | 412 | 445 | 484 | 570 | 582 | 610 | 717 | 724 | 814 | 835 | 878 => {
            EASTERN
        }
        // Rhode Island
        401 => EASTERN,
        // South Carolina
        803 | 821 | 839 | 843 | 854 | 864 => EASTERN,
        // Tennessee, east
        423 | 865 => EASTERN,
        // Vermont
        802 => EASTERN,
        // Virginia
        276 | 434 | 540 | 571 | 686 | 703 | 757 | 804 | 826 | 948 => EASTERN,
        // West Virginia
        304 | 681 => EASTERN,

        // ---- United States, Central time ----
        // Alabama
        205 | 251 | 256 | 334 | 659 | 938 => CENTRAL,
        // Arkansas
        327 | 479 | 501 | 870 => CENTRAL,
        // Florida, western panhandle: Pensacola and Panama City outnumber
        // Tallahassee, which is Eastern
        448 | 850 => CENTRAL,
        // Illinois
        217 | 224 | 309 | 312 | 331 | 447 | 464 | 618 | 630 | 708 | 730 | 773 | 779 | 815 | 847
        | 872 => CENTRAL,
        // Indiana, north-west (Gary)
        219 => CENTRAL,
        // Iowa
        319 | 515 | 563 | 641 | 712 => CENTRAL,
        // Kansas
        316 | 620 | 785 | 913 => CENTRAL,
        // Kentucky, west
        270 | 364 => CENTRAL,
        // Louisiana
        225 | 318 | 337 | 504 | 985 => CENTRAL,
        // Minnesota
        218 | 320 | 507 | 612 | 651 | 763 | 952 => CENTRAL,
        // Mississippi
        228 | 601 | 662 | 769 => CENTRAL,
        // Missouri
        314 | 417 | 557 | 573 | 636 | 660 | 816 | 975 => CENTRAL,
        // Nebraska (the panhandle of 308 is Mountain)
        308 | 402 | 531 => CENTRAL,
        // North Dakota (the south-west is Mountain)
        701 => CENTRAL,
        // Oklahoma
        405 | 539 | 572 | 580 | 918 => CENTRAL,
        // South Dakota (west of the Missouri is Mountain)
        605 => CENTRAL,
        // Tennessee, middle and west
        615 | 629 | 731 | 901 | 931 => CENTRAL,
        // Texas but El Paso
        210 | 214 | 254 | 281 | 325 | 346 | 361 | 409 | 430 | 432 | 469 | 512 | 682 | 713 | 726
        | 737 | 806 | 817 | 830 | 832 | 903 | 936 | 940 | 945 | 956 | 972 | 979 => CENTRAL,
        // Wisconsin
        262 | 274 | 353 | 414 | 534 | 608 | 715 | 920 => CENTRAL,

        // ---- United States, Mountain time ----
        // Colorado
        303 | 719 | 720 | 970 | 983 => MOUNTAIN,
        // Idaho (the panhandle is Pacific)
        208 | 986 => MOUNTAIN,
        // Montana
        406 => MOUNTAIN,
        // New Mexico
        505 | 575 => MOUNTAIN,
        // Texas, El Paso
        915 => MOUNTAIN,
        // Utah
        385 | 435 | 801 => MOUNTAIN,
        // Wyoming
        307 => MOUNTAIN,
        // Arizona: no daylight saving time
        480 | 520 | 602 | 623 | 928 => Tz::America__Phoenix,

        // ---- United States, Pacific time ----
        // California
        209 | 213 | 279 | 310 | 323 | 341 | 350 | 369 | 408 | 415 | 424 | 442 | 510 | 530 | 559
        | 562 | 619 | 626 | 628 | 650 | 657 | 661 | 669 | 707 | 714 | 738 | 747 | 760 | 805
        | 818 | 820 | 831 | 837 | 840 | 858 | 909 | 916 | 925 | 949 | 951 => PACIFIC,
        // Nevada
        702 | 725 | 775 => PACIFIC,
        // Oregon
        458 | 503 | 541 | 971 => PACIFIC,
        // Washington
        206 | 253 | 360 | 425 | 509 | 564 => PACIFIC,

        // ---- United States, outside the contiguous states ----
        907 => Tz::America__Anchorage,         // Alaska
        808 => Tz::Pacific__Honolulu,          // Hawaii
        787 | 939 => Tz::America__Puerto_Rico, // Puerto Rico
        340 => Tz::America__St_Thomas,         // US Virgin Islands
        671 => Tz::Pacific__Guam,              // Guam
        670 => Tz::Pacific__Saipan,            // Northern Mariana Islands
        684 => Tz::Pacific__Pago_Pago,         // American Samoa

        // ---- Canada ----
        // 867 (Yukon, Northwest Territories, Nunavut) spans four zones and is
        // left out.
        // Ontario (807: Thunder Bay is Eastern, Kenora Central)
        226 | 249 | 289 | 343 | 365 | 382 | 416 | 437 | 519 | 548 | 613 | 647 | 683 | 705 | 742
        | 753 | 807 | 905 | 942 => Tz::America__Toronto,
        // Quebec
        263 | 354 | 367 | 418 | 438 | 450 | 468 | 514 | 579 | 581 | 819 | 873 => {
            Tz::America__Toronto
        }
        // Manitoba
        204 | 431 | 584 => Tz::America__Winnipeg,
        // Saskatchewan: no daylight saving time
        306 | 474 | 639 => Tz::America__Regina,
        // Alberta
        368 | 403 | 587 | 780 | 825 => Tz::America__Edmonton,
        // British Columbia
        236 | 250 | 604 | 672 | 778 => Tz::America__Vancouver,
        // New Brunswick; Nova Scotia and Prince Edward Island
        428 | 506 | 782 | 902 => Tz::America__Halifax,
        // Newfoundland and Labrador
        709 | 879 => Tz::America__St_Johns,

        // ---- Caribbean members of the plan ----
        242 => Tz::America__Nassau,                    // Bahamas
        246 => Tz::America__Barbados,                  // Barbados
        264 => Tz::America__Anguilla,                  // Anguilla
        268 => Tz::America__Antigua,                   // Antigua and Barbuda
        284 => Tz::America__Tortola,                   // British Virgin Islands
        345 => Tz::America__Cayman,                    // Cayman Islands
        441 => Tz::Atlantic__Bermuda,                  // Bermuda
        473 => Tz::America__Grenada,                   // Grenada
        649 => Tz::America__Grand_Turk,                // Turks and Caicos
        658 | 876 => Tz::America__Jamaica,             // Jamaica
        664 => Tz::America__Montserrat,                // Montserrat
        721 => Tz::America__Lower_Princes,             // Sint Maarten
        758 => Tz::America__St_Lucia,                  // Saint Lucia
        767 => Tz::America__Dominica,                  // Dominica
        784 => Tz::America__St_Vincent,                // Saint Vincent and the Grenadines
        809 | 829 | 849 => Tz::America__Santo_Domingo, // Dominican Republic
        868 => Tz::America__Port_of_Spain,             // Trinidad and Tobago
        869 => Tz::America__St_Kitts,                  // Saint Kitts and Nevis

        // Toll-free (800, 833, 844, 855, 866, 877, 888), premium (900),
        // personal and other non-geographic codes, and codes not in service.
        _ => return None,
    };
    Some(zone)
}

/// Russia and Kazakhstan share +7: ten digits, the first three the area code
/// (Russia 3xx, 4xx, 8xx; Kazakhstan 6xx, 7xx; mobile 9xx anywhere in Russia).
fn russia_kazakhstan(national: &str) -> Option<Tz> {
    if national.len() != 10 {
        return None;
    }
    let area: u16 = national[..3].parse().ok()?;
    let zone = match area {
        // Kazakhstan: one zone (UTC+5) since March 2024.
        600..=799 => Tz::Asia__Almaty,

        401 => Tz::Europe__Kaliningrad,

        // Moscow time
        495 | 496 | 498 | 499 => MOSCOW, // Moscow and Moscow Oblast
        471..=475 | 481..=487 | 491..=494 => MOSCOW, // Central Russia
        811..=818 | 820 | 821 => MOSCOW, // North-west, St Petersburg (812)
        831 | 833..=836 | 841 | 843 | 847 | 855 => MOSCOW, // Volga
        861..=863 | 865..=867 | 871..=873 | 877..=879 => MOSCOW, // South, North Caucasus
        844 => Tz::Europe__Volgograd,

        // Samara time (UTC+4)
        341 | 846 | 848 => Tz::Europe__Samara, // Udmurtia, Samara, Tolyatti
        842 => Tz::Europe__Ulyanovsk,
        845 => Tz::Europe__Saratov,
        851 => Tz::Europe__Astrakhan,

        // Urals (UTC+5): Perm, Yekaterinburg, Tyumen, Khanty-Mansi, Ufa,
        // Yamal, Chelyabinsk, Kurgan, Orenburg.
        342 | 343 | 345 | 346 | 347 | 349 | 351 | 352 | 353 => Tz::Asia__Yekaterinburg,

        // Siberia
        381 => Tz::Asia__Omsk,
        382 => Tz::Asia__Tomsk,
        383 => Tz::Asia__Novosibirsk,
        384 => Tz::Asia__Novokuznetsk,            // Kemerovo Oblast
        385 | 388 => Tz::Asia__Barnaul,           // Altai Krai, Altai Republic
        390 | 391 | 394 => Tz::Asia__Krasnoyarsk, // Khakassia, Krasnoyarsk, Tuva
        301 | 395 => Tz::Asia__Irkutsk,           // Buryatia, Irkutsk
        302 => Tz::Asia__Chita,                   // Zabaykalsky Krai

        // Far East
        411 | 416 => Tz::Asia__Yakutsk, // Yakutia, Amur Oblast
        421 | 423 | 426 => Tz::Asia__Vladivostok, // Khabarovsk, Primorye, Jewish AO
        424 => Tz::Asia__Sakhalin,
        413 => Tz::Asia__Magadan,
        415 => Tz::Asia__Kamchatka,
        427 => Tz::Asia__Anadyr, // Chukotka

        // Mobile (9xx), toll-free (800), other non-geographic and unknown.
        _ => return None,
    };
    Some(zone)
}

/// Spain: nine digits. Geographic numbers start with 8 or 9 (but 80x and
/// 90x are toll-free and premium); mobile numbers (6, 7) may be on the Canary
/// Islands, an hour behind, where 5% of Spaniards live.
fn spain(national: &str) -> Option<Tz> {
    if national.len() != 9 {
        return None;
    }
    match &national[..3] {
        "822" | "828" | "922" | "928" => Some(Tz::Atlantic__Canary),
        prefix if prefix.starts_with("80") || prefix.starts_with("90") => None,
        prefix if prefix.starts_with('8') || prefix.starts_with('9') => Some(Tz::Europe__Madrid),
        _ => None,
    }
}

/// Portugal: nine digits. Geographic numbers start with 2; mobile numbers
/// (9) may be on the Azores, an hour behind.
fn portugal(national: &str) -> Option<Tz> {
    if national.len() != 9 {
        return None;
    }
    match &national[..3] {
        "291" => Some(Tz::Atlantic__Madeira),
        "292" | "295" | "296" => Some(Tz::Atlantic__Azores), // Horta, Angra, Ponta Delgada
        prefix if prefix.starts_with('2') => Some(Tz::Europe__Lisbon),
        _ => None,
    }
}

/// Turkey: 392 is Northern Cyprus, which keeps the EU's clock.
fn turkey(national: &str) -> Option<Tz> {
    if national.starts_with("392") {
        Some(Tz::Asia__Famagusta)
    } else {
        Some(Tz::Europe__Istanbul)
    }
}

/// Palestine: Gaza landlines start with 8, West Bank ones with 2, 4 or 9;
/// mobile numbers may be in either.
fn palestine(national: &str) -> Option<Tz> {
    match national.as_bytes().first()? {
        b'8' => Some(Tz::Asia__Gaza),
        b'2' | b'4' | b'9' => Some(Tz::Asia__Hebron),
        _ => None,
    }
}

/// Réunion (UTC+4) and Mayotte (UTC+3) share +262: nine digits.
fn reunion_mayotte(national: &str) -> Option<Tz> {
    if national.len() != 9 {
        return None;
    }
    match &national[..3] {
        "262" | "692" | "693" => Some(Tz::Indian__Reunion),
        "269" | "639" => Some(Tz::Indian__Mayotte),
        _ => None,
    }
}

/// Indonesia: landlines start with a 2- or 3-digit area code, mobile numbers
/// with 8. Western (WIB), central (WITA) and eastern (WIT) time.
fn indonesia(national: &str) -> Option<Tz> {
    const WIB: Tz = Tz::Asia__Jakarta;
    const WITA: Tz = Tz::Asia__Makassar;
    const WIT: Tz = Tz::Asia__Jayapura;
    if !(8..=12).contains(&national.len()) {
        return None;
    }
    let zone = match &national[..2] {
        "36" | "37" | "38" => WITA, // Bali, West and East Nusa Tenggara
        prefix if prefix.starts_with(['2', '3']) => WIB, // Java, Madura
        prefix if prefix.starts_with('4') => WITA, // Sulawesi
        "53" | "56" => WIB,         // Kalimantan, central and west
        "54" | "55" => WITA,        // Kalimantan, east and north
        "51" if national.starts_with("511") => WITA, // Banjarmasin
        prefix if prefix.starts_with(['6', '7']) => WIB, // Sumatra, Riau Islands
        prefix if prefix.starts_with('9') => WIT, // Maluku, Papua
        // Mobile (8), other Kalimantan codes, non-geographic.
        _ => return None,
    };
    Some(zone)
}

/// Australia: nine digits, the first the area. 08 is shared by Western
/// Australia, South Australia and the Northern Territory, three clocks.
fn australia(national: &str) -> Option<Tz> {
    if national.len() != 9 {
        return None;
    }
    match national.as_bytes()[0] {
        b'2' if national.starts_with("26563") => Some(Tz::Australia__Lord_Howe),
        b'2' => Some(Tz::Australia__Sydney),    // NSW, ACT
        b'3' => Some(Tz::Australia__Melbourne), // Victoria, Tasmania
        b'7' => Some(Tz::Australia__Brisbane),  // Queensland, no DST
        // 4 mobile, 8 west and south, 1 and 5 non-geographic.
        _ => None,
    }
}

/// New Zealand: one zone but the Chatham Islands (03 305), 45 minutes ahead.
fn new_zealand(national: &str) -> Option<Tz> {
    if national.starts_with("3305") {
        Some(Tz::Pacific__Chatham)
    } else {
        Some(Tz::Pacific__Auckland)
    }
}

/// Chile: Magallanes (61) keeps summer time all year; Easter Island shares
/// Valparaíso's 32 and is left to Santiago.
fn chile(national: &str) -> Option<Tz> {
    match national.get(..2)? {
        "61" => Some(Tz::America__Punta_Arenas),
        "60" | "80" => None, // non-geographic, toll-free
        _ => Some(Tz::America__Santiago),
    }
}

/// Brazil: a two-digit area code (DDD), then eight (landline) or nine
/// (mobile) digits, so mobile numbers tell their state too.
fn brazil(national: &str) -> Option<Tz> {
    if !(10..=11).contains(&national.len()) {
        return None;
    }
    let area: u8 = national[..2].parse().ok()?;
    let zone = match area {
        // Brasília time (UTC-3)
        11..=19 => SAO_PAULO,                    // São Paulo
        21 | 22 | 24 => SAO_PAULO,               // Rio de Janeiro
        27 | 28 => SAO_PAULO,                    // Espírito Santo
        31..=35 | 37 | 38 => SAO_PAULO,          // Minas Gerais
        41..=46 => SAO_PAULO,                    // Paraná
        47..=49 => SAO_PAULO,                    // Santa Catarina
        51 | 53..=55 => SAO_PAULO,               // Rio Grande do Sul
        61 => SAO_PAULO,                         // Distrito Federal
        62 | 64 => SAO_PAULO,                    // Goiás
        63 => Tz::America__Araguaina,            // Tocantins
        71 | 73..=75 | 77 => Tz::America__Bahia, // Bahia
        79 => Tz::America__Maceio,               // Sergipe
        81 | 87 => Tz::America__Recife,          // Pernambuco
        82 => Tz::America__Maceio,               // Alagoas
        83 | 84 => Tz::America__Fortaleza,       // Paraíba, Rio Grande do Norte
        85 | 88 => Tz::America__Fortaleza,       // Ceará
        86 | 89 => Tz::America__Fortaleza,       // Piauí
        98 | 99 => Tz::America__Fortaleza,       // Maranhão
        91 | 94 => Tz::America__Belem,           // Pará, east
        93 => Tz::America__Santarem,             // Pará, west
        96 => Tz::America__Belem,                // Amapá

        // Amazon time (UTC-4)
        65 | 66 => Tz::America__Cuiaba,  // Mato Grosso
        67 => Tz::America__Campo_Grande, // Mato Grosso do Sul
        69 => Tz::America__Porto_Velho,  // Rondônia
        92 | 97 => Tz::America__Manaus,  // Amazonas (far west of 97 is UTC-5)
        95 => Tz::America__Boa_Vista,    // Roraima

        // Acre time (UTC-5)
        68 => Tz::America__Rio_Branco, // Acre

        _ => return None,
    };
    Some(zone)
}

/// Mexico: ten digits since 2019 (older mobile numbers had a 1 in front), a
/// 2-digit (Mexico City, Guadalajara, Monterrey) or 3-digit area code. Most of
/// the country is on Central time; the areas below are not. An area missing
/// from the list is taken as Central.
fn mexico(national: &str) -> Option<Tz> {
    let national = match national.len() {
        10 => national,
        11 if national.starts_with('1') => &national[1..],
        _ => return None,
    };
    let zone = match &national[..3] {
        "800" | "900" => return None, // toll-free, premium
        // Baja California: Pacific time, US daylight saving.
        "646" | "661" | "664" | "665" | "686" => Tz::America__Tijuana,
        // Sonora: Mountain time, no DST.
        "622" | "631" | "633" | "637" | "638" | "642" | "644" | "653" | "662" => {
            Tz::America__Hermosillo
        }
        // Baja California Sur, Sinaloa, Nayarit: Mountain time, no DST.
        "612" | "613" | "615" | "624" => Tz::America__Mazatlan, // Baja California Sur
        "667" | "668" | "669" | "673" | "687" => Tz::America__Mazatlan, // Sinaloa
        "311" => Tz::America__Mazatlan,                         // Nayarit, Tepic
        // Ciudad Juárez: Mountain time, US daylight saving.
        "656" => Tz::America__Ciudad_Juarez,
        // Border towns of Coahuila, Nuevo León, Tamaulipas: Central time, US
        // daylight saving (Ciudad Acuña, Nuevo Laredo, Matamoros, Piedras
        // Negras, Reynosa).
        "867" | "868" | "877" | "878" | "899" => Tz::America__Matamoros,
        // Quintana Roo: Eastern time, no DST.
        "983" | "984" | "987" | "998" => Tz::America__Cancun,
        _ => Tz::America__Mexico_City,
    };
    Some(zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(e164: &str) -> Option<&'static str> {
        time_zone_of(e164).map(|tz| tz.name())
    }

    #[test]
    fn nanp_area_codes_give_the_state_or_province_zone() {
        assert_eq!(zone("+12125550143"), Some("America/New_York"));
        assert_eq!(zone("+13125550143"), Some("America/Chicago"));
        assert_eq!(zone("+13035550143"), Some("America/Denver"));
        assert_eq!(zone("+16025550143"), Some("America/Phoenix"));
        assert_eq!(zone("+12135550143"), Some("America/Los_Angeles"));
        assert_eq!(zone("+18085550143"), Some("Pacific/Honolulu"));
        assert_eq!(zone("+19075550143"), Some("America/Anchorage"));
        assert_eq!(zone("+14165550143"), Some("America/Toronto"));
        assert_eq!(zone("+16045550143"), Some("America/Vancouver"));
        assert_eq!(zone("+17095550143"), Some("America/St_Johns"));
        assert_eq!(zone("+17875550143"), Some("America/Puerto_Rico"));
        assert_eq!(zone("+18765550143"), Some("America/Jamaica"));
        assert_eq!(zone("+18095550143"), Some("America/Santo_Domingo"));
        assert_eq!(zone("+14415550143"), Some("Atlantic/Bermuda"));
    }

    #[test]
    fn nanp_toll_free_and_ambiguous_codes_give_none() {
        for area in [
            "800", "833", "844", "855", "866", "877", "888", "900", "867",
        ] {
            assert_eq!(zone(&format!("+1{area}5550143")), None, "{area}");
        }
        // A NANP number has exactly ten digits after the 1.
        assert_eq!(zone("+1212555014"), None);
        assert_eq!(zone("+121255501430"), None);
    }

    #[test]
    fn single_zone_countries() {
        assert_eq!(zone("+4930123456"), Some("Europe/Berlin"));
        assert_eq!(zone("+442079460958"), Some("Europe/London"));
        assert_eq!(zone("+33147664032"), Some("Europe/Paris"));
        assert_eq!(zone("+919876543210"), Some("Asia/Kolkata"));
        assert_eq!(zone("+81312345678"), Some("Asia/Tokyo"));
        assert_eq!(zone("+8613812345678"), Some("Asia/Shanghai"));
        assert_eq!(zone("+35312345678"), Some("Europe/Dublin"));
        assert_eq!(zone("+97141234567"), Some("Asia/Dubai"));
        assert_eq!(zone("+2348012345678"), Some("Africa/Lagos"));
        assert_eq!(zone("+5712345678"), Some("America/Bogota"));
    }

    #[test]
    fn spain_and_portugal_tell_their_islands() {
        assert_eq!(zone("+34928123456"), Some("Atlantic/Canary"));
        assert_eq!(zone("+34922123456"), Some("Atlantic/Canary"));
        assert_eq!(zone("+34911234567"), Some("Europe/Madrid"));
        assert_eq!(zone("+34612345678"), None); // mobile
        assert_eq!(zone("+34900123456"), None); // toll-free
        assert_eq!(zone("+351213456789"), Some("Europe/Lisbon"));
        assert_eq!(zone("+351296123456"), Some("Atlantic/Azores"));
        assert_eq!(zone("+351291123456"), Some("Atlantic/Madeira"));
        assert_eq!(zone("+351912345678"), None); // mobile
    }

    #[test]
    fn russia_and_kazakhstan_by_area_code() {
        assert_eq!(zone("+74951234567"), Some("Europe/Moscow"));
        assert_eq!(zone("+78121234567"), Some("Europe/Moscow"));
        assert_eq!(zone("+73831234567"), Some("Asia/Novosibirsk"));
        assert_eq!(zone("+73431234567"), Some("Asia/Yekaterinburg"));
        assert_eq!(zone("+74231234567"), Some("Asia/Vladivostok"));
        assert_eq!(zone("+77271234567"), Some("Asia/Almaty"));
        assert_eq!(zone("+77011234567"), Some("Asia/Almaty"));
        assert_eq!(zone("+79161234567"), None); // mobile
        assert_eq!(zone("+78001234567"), None); // toll-free
    }

    #[test]
    fn australia_by_area_digit() {
        assert_eq!(zone("+61212345678"), Some("Australia/Sydney"));
        assert_eq!(zone("+61312345678"), Some("Australia/Melbourne"));
        assert_eq!(zone("+61712345678"), Some("Australia/Brisbane"));
        assert_eq!(zone("+61892345678"), None); // Perth shares 08
        assert_eq!(zone("+61412345678"), None); // mobile
    }

    #[test]
    fn brazil_by_ddd() {
        assert_eq!(zone("+5511987654321"), Some("America/Sao_Paulo"));
        assert_eq!(zone("+551134567890"), Some("America/Sao_Paulo"));
        assert_eq!(zone("+5592987654321"), Some("America/Manaus"));
        assert_eq!(zone("+5568987654321"), Some("America/Rio_Branco"));
        assert_eq!(zone("+5520987654321"), None); // no such DDD
    }

    #[test]
    fn mexico_indonesia_and_others_by_area() {
        assert_eq!(zone("+525512345678"), Some("America/Mexico_City"));
        assert_eq!(zone("+526641234567"), Some("America/Tijuana"));
        assert_eq!(zone("+5216641234567"), Some("America/Tijuana"));
        assert_eq!(zone("+529981234567"), Some("America/Cancun"));
        assert_eq!(zone("+528001234567"), None);
        assert_eq!(zone("+62215551234"), Some("Asia/Jakarta"));
        assert_eq!(zone("+62361123456"), Some("Asia/Makassar"));
        assert_eq!(zone("+628123456789"), None); // mobile
        assert_eq!(zone("+905321234567"), Some("Europe/Istanbul"));
        assert_eq!(zone("+903921234567"), Some("Asia/Famagusta"));
        assert_eq!(zone("+6493021234"), Some("Pacific/Auckland"));
        assert_eq!(zone("+6433051234"), Some("Pacific/Chatham"));
        assert_eq!(zone("+61265632066"), Some("Australia/Lord_Howe"));
        assert_eq!(zone("+56612123456"), Some("America/Punta_Arenas"));
        assert_eq!(zone("+56221234567"), Some("America/Santiago"));
    }

    #[test]
    fn garbage_gives_none() {
        for text in [
            "",
            "+",
            "12345",
            "+999",
            "+99912345678",
            "4930123456",
            "+49 30 123456",
            "+49-30-123456",
            "+4930",
            "+1234567890123456",
            "+٤٩٣٠١٢٣٤٥٦",
        ] {
            assert_eq!(zone(text), None, "{text:?}");
        }
    }

    /// All assigned codes of one to three digits.
    fn assigned_codes() -> Vec<String> {
        // Country codes never start with 0, so "1" to "999" covers them all.
        (1..1000)
            .map(|n: u32| n.to_string())
            .filter(|code| country(code).is_some())
            .collect()
    }

    #[test]
    fn country_codes_are_prefix_free() {
        let codes = assigned_codes();
        assert!(codes.len() > 190, "{}", codes.len());
        for code in &codes {
            for len in 1..code.len() {
                assert!(
                    country(&code[..len]).is_none(),
                    "{code} and {}",
                    &code[..len]
                );
            }
        }
    }

    /// Runs every plan over every four-digit start of the national number, at
    /// every length E.164 allows: nothing panics, and every zone it gives
    /// has an IANA name that parses back to the same zone.
    #[test]
    fn every_table_entry_is_a_valid_zone() {
        let mut zones = std::collections::BTreeSet::new();
        for code in assigned_codes() {
            match country(&code).unwrap() {
                Plan::One(tz) => {
                    zones.insert(tz.name());
                }
                Plan::ByNumber(zone_of) => {
                    for start in 0..10_000 {
                        let start = format!("{start:04}");
                        for len in 1..=MAX_DIGITS - code.len() {
                            let national: String = start
                                .chars()
                                .chain(std::iter::repeat('0'))
                                .take(len)
                                .collect();
                            if let Some(tz) = zone_of(&national) {
                                zones.insert(tz.name());
                            }
                        }
                    }
                }
            }
        }
        for name in &zones {
            let tz: Tz = name.parse().unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(tz.name(), *name);
        }
        assert!(zones.len() > 250, "{}", zones.len());
    }
}
