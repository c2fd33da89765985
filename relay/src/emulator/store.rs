//! The message QR codes, per phone number and space, as WhatsApp keeps them behind CAMS: each
//! with a unique 8-character code whose deep link never changes, at most 2,000 per number.

use std::collections::HashMap;

/// WhatsApp's cap on message QR codes per phone number.
pub const MAX_CODES_PER_NUMBER: usize = 2000;

const CODE_ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const CODE_LEN: usize = 8;

/// One stored message QR code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub code: String,
    pub phone_number: String,
    /// Empty when the caller gave no CustSpaceId.
    pub cust_space_id: String,
    pub prefilled_message: String,
    /// `PNG` or `SVG`.
    pub image_format: String,
}

impl Record {
    /// The link the QR encodes, fixed for the code's life.
    pub fn deep_link(&self) -> String {
        deep_link(&self.code)
    }
}

/// `https://wa.me/message/<CODE>`.
pub fn deep_link(code: &str) -> String {
    format!("https://wa.me/message/{code}")
}

/// Why a write was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    LimitReached(usize),
    NotFound,
}

/// Codes by code, plus each phone number's codes in creation order.
#[derive(Debug)]
pub struct QrdlStore {
    by_code: HashMap<String, Record>,
    by_owner: HashMap<(String, String), Vec<String>>,
    per_number: HashMap<String, usize>,
    max_per_number: usize,
}

impl QrdlStore {
    pub fn new(max_per_number: usize) -> QrdlStore {
        QrdlStore {
            by_code: HashMap::new(),
            by_owner: HashMap::new(),
            per_number: HashMap::new(),
            max_per_number,
        }
    }

    /// Creates a code with a fresh, unique code.
    pub fn create(
        &mut self,
        phone_number: &str,
        cust_space_id: &str,
        prefilled_message: &str,
        image_format: &str,
    ) -> Result<Record, StoreError> {
        let count = self.per_number.get(phone_number).copied().unwrap_or(0);
        if count >= self.max_per_number {
            return Err(StoreError::LimitReached(self.max_per_number));
        }
        let code = loop {
            let candidate = random_code();
            if !self.by_code.contains_key(&candidate) {
                break candidate;
            }
        };
        let record = Record {
            code: code.clone(),
            phone_number: phone_number.to_owned(),
            cust_space_id: cust_space_id.to_owned(),
            prefilled_message: prefilled_message.to_owned(),
            image_format: image_format.to_owned(),
        };
        self.by_code.insert(code.clone(), record.clone());
        self.by_owner
            .entry((phone_number.to_owned(), cust_space_id.to_owned()))
            .or_default()
            .push(code);
        self.per_number.insert(phone_number.to_owned(), count + 1);
        Ok(record)
    }

    /// The codes of a number in a space, oldest first.
    pub fn list(&self, phone_number: &str, cust_space_id: &str) -> Vec<Record> {
        self.by_owner
            .get(&(phone_number.to_owned(), cust_space_id.to_owned()))
            .map(|codes| {
                codes
                    .iter()
                    .filter_map(|c| self.by_code.get(c).cloned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Changes the message and image format of an existing code; the code and link stay.
    pub fn update(
        &mut self,
        phone_number: &str,
        cust_space_id: &str,
        code: &str,
        prefilled_message: &str,
        image_format: &str,
    ) -> Result<Record, StoreError> {
        let record = self
            .by_code
            .get_mut(code)
            .filter(|r| r.phone_number == phone_number && r.cust_space_id == cust_space_id)
            .ok_or(StoreError::NotFound)?;
        record.prefilled_message = prefilled_message.to_owned();
        record.image_format = image_format.to_owned();
        Ok(record.clone())
    }

    /// Deletes a code of a number in a space.
    pub fn delete(
        &mut self,
        phone_number: &str,
        cust_space_id: &str,
        code: &str,
    ) -> Result<(), StoreError> {
        let owned = self
            .by_code
            .get(code)
            .is_some_and(|r| r.phone_number == phone_number && r.cust_space_id == cust_space_id);
        if !owned {
            return Err(StoreError::NotFound);
        }
        self.by_code.remove(code);
        let owner = (phone_number.to_owned(), cust_space_id.to_owned());
        if let Some(codes) = self.by_owner.get_mut(&owner) {
            codes.retain(|c| c != code);
            if codes.is_empty() {
                self.by_owner.remove(&owner);
            }
        }
        if let Some(n) = self.per_number.get_mut(phone_number) {
            *n = n.saturating_sub(1);
        }
        Ok(())
    }

    /// A code by itself, for serving its image.
    pub fn get(&self, code: &str) -> Option<&Record> {
        self.by_code.get(code)
    }
}

fn random_code() -> String {
    (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[rand::random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_uppercase_alphanumerics() {
        let mut s = QrdlStore::new(MAX_CODES_PER_NUMBER);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..MAX_CODES_PER_NUMBER {
            let r = s.create("8613800001234", "", "hi", "PNG").unwrap();
            assert_eq!(r.code.len(), 8);
            assert!(r
                .code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
            assert!(seen.insert(r.code));
        }
        // The 2,001st is refused, for any space; another number is unaffected.
        assert_eq!(
            s.create("8613800001234", "other-space", "hi", "PNG"),
            Err(StoreError::LimitReached(MAX_CODES_PER_NUMBER))
        );
        assert!(s.create("8613800009999", "", "hi", "PNG").is_ok());
        // Deleting one frees a slot.
        let first = s.list("8613800001234", "")[0].code.clone();
        s.delete("8613800001234", "", &first).unwrap();
        assert!(s.create("8613800001234", "", "again", "SVG").is_ok());
    }

    #[test]
    fn list_update_delete_are_scoped_to_number_and_space() {
        let mut s = QrdlStore::new(10);
        let a = s.create("111111", "space-1", "one", "PNG").unwrap();
        let b = s.create("111111", "space-1", "two", "SVG").unwrap();
        s.create("111111", "space-2", "three", "PNG").unwrap();
        let listed: Vec<_> = s
            .list("111111", "space-1")
            .into_iter()
            .map(|r| r.code)
            .collect();
        assert_eq!(listed, vec![a.code.clone(), b.code.clone()]);
        assert!(s.list("222222", "space-1").is_empty());

        assert_eq!(
            s.update("111111", "space-2", &a.code, "x", "SVG"),
            Err(StoreError::NotFound)
        );
        let u = s
            .update("111111", "space-1", &a.code, "changed", "SVG")
            .unwrap();
        assert_eq!(
            (u.code.as_str(), u.deep_link()),
            (a.code.as_str(), a.deep_link())
        );
        assert_eq!(u.prefilled_message, "changed");
        assert_eq!(s.get(&a.code).unwrap().image_format, "SVG");

        assert_eq!(s.delete("111111", "", &b.code), Err(StoreError::NotFound));
        s.delete("111111", "space-1", &b.code).unwrap();
        assert_eq!(
            s.delete("111111", "space-1", &b.code),
            Err(StoreError::NotFound)
        );
        assert!(s.get(&b.code).is_none());
        assert_eq!(s.list("111111", "space-1").len(), 1);
    }
}
