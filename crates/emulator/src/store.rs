//! The message QR codes, per account, phone number and space, as WhatsApp keeps them behind
//! CAMS: each with a unique 8-character code and its deep link, at most 2,000 per number. An
//! account sees, changes and deletes only its own codes; images are public by code.
//!
//! An update replaces the code: Alibaba's `UpdatePhoneMessageQrdl` page says "After you update a
//! message QR code, users can no longer scan the original QR code to access the associated
//! business phone number. Use this operation with caution.", and its Delete page calls the code
//! "returned by Create or Update". The real service could not be observed, so the emulator
//! follows that documentation: the original code leaves the list, its deep link and image stop
//! resolving, later calls naming it get `Qrdl.NotExists`, and the reply carries a new code (in
//! the old one's place in the list) and its deep link, the ones to print from then on.

use std::collections::HashMap;

/// WhatsApp's cap on message QR codes per phone number.
pub const MAX_CODES_PER_NUMBER: usize = 2000;

const CODE_ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const CODE_LEN: usize = 8;

/// Whose codes: an account's, for one of its numbers, in one space.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Owner {
    /// The long-term AccessKeyId the caller acts for (see `Caller::account`).
    pub account: String,
    pub phone_number: String,
    /// Empty when the caller gave no CustSpaceId.
    pub cust_space_id: String,
}

/// One stored message QR code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub code: String,
    pub owner: Owner,
    pub prefilled_message: String,
    /// `PNG` or `SVG`.
    pub image_format: String,
}

impl Record {
    /// The link the QR encodes, fixed for the code's life (an update makes a new code).
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

/// Codes by code, plus each owner's codes in creation order and each number's count.
#[derive(Debug)]
pub struct QrdlStore {
    by_code: HashMap<String, Record>,
    by_owner: HashMap<Owner, Vec<String>>,
    /// Per (account, phone number), across spaces.
    per_number: HashMap<(String, String), usize>,
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
        owner: &Owner,
        prefilled_message: &str,
        image_format: &str,
    ) -> Result<Record, StoreError> {
        let number = (owner.account.clone(), owner.phone_number.clone());
        let count = self.per_number.get(&number).copied().unwrap_or(0);
        if count >= self.max_per_number {
            return Err(StoreError::LimitReached(self.max_per_number));
        }
        let code = self.fresh_code();
        let record = Record {
            code: code.clone(),
            owner: owner.clone(),
            prefilled_message: prefilled_message.to_owned(),
            image_format: image_format.to_owned(),
        };
        self.by_code.insert(code.clone(), record.clone());
        self.by_owner.entry(owner.clone()).or_default().push(code);
        self.per_number.insert(number, count + 1);
        Ok(record)
    }

    /// An owner's codes, oldest first.
    pub fn list(&self, owner: &Owner) -> Vec<Record> {
        self.by_owner
            .get(owner)
            .map(|codes| {
                codes
                    .iter()
                    .filter_map(|c| self.by_code.get(c).cloned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Replaces an owner's code with a new one carrying the new message and image format (see
    /// the module docs): the old code is gone, the new one takes its place in the list, and the
    /// number's count is unchanged.
    pub fn update(
        &mut self,
        owner: &Owner,
        code: &str,
        prefilled_message: &str,
        image_format: &str,
    ) -> Result<Record, StoreError> {
        if !self.by_code.get(code).is_some_and(|r| &r.owner == owner) {
            return Err(StoreError::NotFound);
        }
        self.by_code.remove(code);
        let new_code = self.fresh_code();
        let record = Record {
            code: new_code.clone(),
            owner: owner.clone(),
            prefilled_message: prefilled_message.to_owned(),
            image_format: image_format.to_owned(),
        };
        self.by_code.insert(new_code.clone(), record.clone());
        if let Some(slot) = self
            .by_owner
            .get_mut(owner)
            .and_then(|codes| codes.iter_mut().find(|c| c.as_str() == code))
        {
            *slot = new_code;
        }
        Ok(record)
    }

    /// A random code no current record has.
    fn fresh_code(&self) -> String {
        loop {
            let candidate = random_code();
            if !self.by_code.contains_key(&candidate) {
                return candidate;
            }
        }
    }

    /// Deletes an owner's code.
    pub fn delete(&mut self, owner: &Owner, code: &str) -> Result<(), StoreError> {
        if !self.by_code.get(code).is_some_and(|r| &r.owner == owner) {
            return Err(StoreError::NotFound);
        }
        self.by_code.remove(code);
        if let Some(codes) = self.by_owner.get_mut(owner) {
            codes.retain(|c| c != code);
            if codes.is_empty() {
                self.by_owner.remove(owner);
            }
        }
        let number = (owner.account.clone(), owner.phone_number.clone());
        if let Some(n) = self.per_number.get_mut(&number) {
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

    fn owner(account: &str, phone: &str, space: &str) -> Owner {
        Owner {
            account: account.into(),
            phone_number: phone.into(),
            cust_space_id: space.into(),
        }
    }

    #[test]
    fn codes_are_unique_uppercase_alphanumerics() {
        let mut s = QrdlStore::new(MAX_CODES_PER_NUMBER);
        let mut seen = std::collections::HashSet::new();
        let main = owner("acct", "8613800001234", "");
        for _ in 0..MAX_CODES_PER_NUMBER {
            let r = s.create(&main, "hi", "PNG").unwrap();
            assert_eq!(r.code.len(), 8);
            assert!(r
                .code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
            assert!(seen.insert(r.code));
        }
        // The 2,001st is refused, for any space; another number is unaffected.
        assert_eq!(
            s.create(&owner("acct", "8613800001234", "other-space"), "hi", "PNG"),
            Err(StoreError::LimitReached(MAX_CODES_PER_NUMBER))
        );
        assert!(s
            .create(&owner("acct", "8613800009999", ""), "hi", "PNG")
            .is_ok());
        // Deleting one frees a slot.
        let first = s.list(&main)[0].code.clone();
        s.delete(&main, &first).unwrap();
        assert!(s.create(&main, "again", "SVG").is_ok());
    }

    #[test]
    fn list_update_delete_are_scoped_to_number_and_space() {
        let mut s = QrdlStore::new(10);
        let one = owner("acct", "111111", "space-1");
        let two = owner("acct", "111111", "space-2");
        let a = s.create(&one, "one", "PNG").unwrap();
        let b = s.create(&one, "two", "SVG").unwrap();
        s.create(&two, "three", "PNG").unwrap();
        let listed: Vec<_> = s.list(&one).into_iter().map(|r| r.code).collect();
        assert_eq!(listed, vec![a.code.clone(), b.code.clone()]);
        assert!(s.list(&owner("acct", "222222", "space-1")).is_empty());

        assert_eq!(
            s.update(&two, &a.code, "x", "SVG"),
            Err(StoreError::NotFound)
        );
        let u = s.update(&one, &a.code, "changed", "SVG").unwrap();
        // A new code replaces the old one, in its place; the old one no longer exists.
        assert_ne!(u.code, a.code);
        assert_ne!(u.deep_link(), a.deep_link());
        assert_eq!(u.prefilled_message, "changed");
        assert_eq!(s.get(&u.code).unwrap().image_format, "SVG");
        assert!(s.get(&a.code).is_none());
        let listed: Vec<_> = s.list(&one).into_iter().map(|r| r.code).collect();
        assert_eq!(listed, vec![u.code.clone(), b.code.clone()]);
        assert_eq!(
            s.update(&one, &a.code, "again", "PNG"),
            Err(StoreError::NotFound)
        );
        assert_eq!(s.delete(&one, &a.code), Err(StoreError::NotFound));

        assert_eq!(
            s.delete(&owner("acct", "111111", ""), &b.code),
            Err(StoreError::NotFound)
        );
        s.delete(&one, &b.code).unwrap();
        assert_eq!(s.delete(&one, &b.code), Err(StoreError::NotFound));
        assert!(s.get(&b.code).is_none());
        assert_eq!(s.list(&one).len(), 1);
    }

    #[test]
    fn an_account_sees_only_its_own_codes() {
        let mut s = QrdlStore::new(1);
        let mine = owner("acct-a", "111111", "");
        let theirs = owner("acct-b", "111111", "");
        let a = s.create(&mine, "mine", "PNG").unwrap();
        // The same number under another account: its own codes and its own limit.
        assert!(s.list(&theirs).is_empty());
        let b = s.create(&theirs, "theirs", "PNG").unwrap();
        assert_eq!(
            s.update(&theirs, &a.code, "taken", "PNG"),
            Err(StoreError::NotFound)
        );
        assert_eq!(s.delete(&theirs, &a.code), Err(StoreError::NotFound));
        assert_eq!(s.list(&mine), vec![a.clone()]);
        assert_eq!(s.list(&theirs), vec![b]);
        // Images are public by code.
        assert_eq!(s.get(&a.code), Some(&a));
    }
}
