//! Serde building blocks shared by the shapes: [`Blob`] (bytes as base64),
//! [`EmptyObject`], string enums that keep values they do not know, the
//! serialisation of unknown union members, and borrowed-string reading.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, IgnoredAny, MapAccess};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Binary data (image, document, video or audio bytes; redacted reasoning),
/// carried as standard base64 in JSON. `Debug` shows only the length.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Blob(pub Vec<u8>);

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Blob({} bytes)", self.0.len())
    }
}

impl From<Vec<u8>> for Blob {
    fn from(bytes: Vec<u8>) -> Self {
        Blob(bytes)
    }
}

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&crate::base64::encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Base64;
        impl de::Visitor<'_> for Base64 {
            type Value = Blob;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a base64 string")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Blob, E> {
                crate::base64::decode(text)
                    .map(Blob)
                    .map_err(|e| E::custom(format_args!("invalid base64 blob: {e}")))
            }
        }
        deserializer.deserialize_str(Base64)
    }
}

/// A JSON object with no members (`{}`), as in `toolChoice: {"auto": {}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmptyObject {}

/// Reads a string enum from its wire text; the `string_enum!` shapes use it.
pub(crate) struct StrVisitor<T>(PhantomData<T>);

impl<T> StrVisitor<T> {
    pub(crate) fn new() -> Self {
        StrVisitor(PhantomData)
    }
}

impl<T: for<'s> From<&'s str>> de::Visitor<'_> for StrVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        Ok(T::from(text))
    }
}

/// Declares a string enum of the API model: the known values as variants, and
/// `Unknown(String)` for any other value, kept as sent (so a response with a
/// value newer than this code still reads, and writes back unchanged).
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
            /// A value this version does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str($crate::types::wire::StrVisitor::new())
            }
        }
    };
}

pub(crate) use string_enum;

/// Writes an unknown union member whose value was not kept as `{"<name>": {}}`,
/// so that reading it back gives the same unknown member.
pub(crate) fn unknown_member<N, S>(name: &N, serializer: S) -> Result<S::Ok, S::Error>
where
    N: AsRef<str> + ?Sized,
    S: Serializer,
{
    let mut map = serializer.serialize_map(Some(1))?;
    map.serialize_entry(name.as_ref(), &EmptyObject {})?;
    map.end()
}

/// A string borrowed from the input when it has no escapes, owned otherwise.
#[derive(Deserialize)]
#[serde(transparent)]
pub(crate) struct CowStr<'a>(#[serde(borrow)] pub(crate) Cow<'a, str>);

/// Reads a union object without buffering it: `read_member` gets each member
/// name and reads its value (answering `Some(Some(v))`, or `Some(None)` for a
/// `null` value), or answers `None` for a name it does not know. The first
/// non-null known member wins and the rest are skipped; with none, the answer is
/// `unknown(first unknown name)`.
pub(crate) fn read_union<'de, A, T>(
    mut map: A,
    mut read_member: impl FnMut(&str, &mut A) -> Result<Option<Option<T>>, A::Error>,
    unknown: impl FnOnce(Cow<'de, str>) -> T,
) -> Result<T, A::Error>
where
    A: MapAccess<'de>,
{
    let mut found = None;
    let mut unknown_name = None;
    while let Some(CowStr(name)) = map.next_key()? {
        if found.is_some() {
            map.next_value::<IgnoredAny>()?;
            continue;
        }
        match read_member(&name, &mut map)? {
            Some(value) => found = value,
            None => {
                map.next_value::<IgnoredAny>()?;
                unknown_name.get_or_insert(name);
            }
        }
    }
    Ok(found.unwrap_or_else(|| unknown(unknown_name.unwrap_or_default())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    string_enum! {
        /// A test enum.
        pub enum Colour {
            /// Red.
            Red = "red",
            /// Dark blue.
            DarkBlue = "darkBlue",
        }
    }

    #[test]
    fn string_enums_keep_unknown_values() {
        let read: Vec<Colour> =
            serde_json::from_str(r#"["red","darkBlue","teal"]"#).expect("reads");
        assert_eq!(
            read,
            [
                Colour::Red,
                Colour::DarkBlue,
                Colour::Unknown("teal".into())
            ]
        );
        assert_eq!(
            serde_json::to_string(&read).expect("writes"),
            r#"["red","darkBlue","teal"]"#
        );
        assert_eq!(Colour::DarkBlue.to_string(), "darkBlue");
        assert!(serde_json::from_str::<Colour>("3").is_err());
    }

    #[test]
    fn blobs_are_base64_and_debug_hides_them() {
        let blob = Blob(b"\x89PNG".to_vec());
        assert_eq!(
            serde_json::to_string(&blob).expect("writes"),
            r#""iVBORw==""#
        );
        assert_eq!(format!("{blob:?}"), "Blob(4 bytes)");
        let error = serde_json::from_str::<Blob>(r#""not base64!""#).expect_err("invalid");
        assert!(error.to_string().contains("invalid base64 blob"), "{error}");
    }

    proptest! {
        #[test]
        fn blobs_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let json = serde_json::to_string(&Blob(bytes.clone())).expect("writes");
            prop_assert_eq!(serde_json::from_str::<Blob>(&json).expect("reads").0, bytes);
        }
    }
}
