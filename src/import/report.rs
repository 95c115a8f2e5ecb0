//! What an import did: the counts, the speed, and the rejected rows with
//! their line numbers and reasons.

use std::fmt;
use std::io::Write;
use std::time::Duration;

use crate::crm::import::Rejected;

#[derive(Debug, Default)]
pub struct Summary {
    /// Data rows read (the header excluded).
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    /// In line order.
    pub rejected: Vec<Rejected>,
    pub elapsed: Duration,
    /// Of `elapsed`, the time spent waiting for the database: the rest is
    /// reading and parsing that storage did not hide.
    pub storing: Duration,
}

impl Summary {
    pub fn rows_per_second(&self) -> f64 {
        self.rows as f64 / self.elapsed.as_secs_f64().max(1e-3)
    }

    /// The rejected rows as CSV, one line per reason: `line,column,reason`.
    pub fn write_rejections(&self, out: impl Write) -> Result<(), csv::Error> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(["line", "column", "reason"])?;
        for rejected in &self.rejected {
            for error in rejected.errors.iter() {
                writer.write_record([
                    rejected.line.to_string().as_str(),
                    &error.field,
                    &error.message,
                ])?;
            }
        }
        writer.flush()?;
        Ok(())
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} rows in {:.1} s ({:.0} rows/s): {} created, {} updated, {} rejected",
            self.rows,
            self.elapsed.as_secs_f64(),
            self.rows_per_second(),
            self.created,
            self.updated,
            self.rejected.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::FieldErrors;

    #[test]
    fn rejections_are_csv_with_one_line_per_reason() {
        let mut errors = FieldErrors::single("phone", "\"12\" is not a valid number");
        errors.add("kind", "must be one of legal, individual");
        let summary = Summary {
            rows: 3,
            created: 1,
            updated: 1,
            rejected: vec![Rejected { line: 4, errors }],
            elapsed: Duration::from_secs(2),
            storing: Duration::from_secs(1),
        };
        let mut out = Vec::new();
        summary.write_rejections(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "line,column,reason\n4,phone,\"\"\"12\"\" is not a valid number\"\n4,kind,\"must be one of legal, individual\"\n"
        );
        assert_eq!(
            summary.to_string(),
            "3 rows in 2.0 s (2 rows/s): 1 created, 1 updated, 1 rejected"
        );
    }
}
