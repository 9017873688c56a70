//! Serde building blocks shared by the shapes: [`Blob`] (bytes as base64),
//! [`EmptyObject`], string enums that keep values they do not know
//! (`string_enum!`), unions that keep members they do not know
//! (`wire_union!`), the members of structures this version does not know
//! ([`UnknownMembers`]), and borrowed-string reading.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, IgnoredAny, MapAccess};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

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

        impl $crate::types::read::ReadJson for $name {
            fn read_json(
                value: serde_json::Value,
            ) -> Result<Self, $crate::types::read::ReadError> {
                match value {
                    serde_json::Value::String(text) => Ok($name::from(text.as_str())),
                    other => Err($crate::types::read::invalid_type(&other, "a string")),
                }
            }
        }
    };
}

pub(crate) use string_enum;

/// Writes an unknown member whose value was not kept (a stream event of an
/// unknown type) as `{"<name>": {}}`, so that reading it back gives the same
/// unknown member.
pub(crate) fn unknown_member<N, S>(name: &N, serializer: S) -> Result<S::Ok, S::Error>
where
    N: AsRef<str> + ?Sized,
    S: Serializer,
{
    write_member(serializer, name.as_ref(), &EmptyObject {})
}

/// Writes a union as its one member, `{"<name>": value}`.
pub(crate) fn write_member<S, T>(serializer: S, name: &str, value: &T) -> Result<S::Ok, S::Error>
where
    S: Serializer,
    T: Serialize + ?Sized,
{
    let mut map = serializer.serialize_map(Some(1))?;
    map.serialize_entry(name, value)?;
    map.end()
}

/// A string borrowed from the input when it has no escapes, owned otherwise.
#[derive(Deserialize)]
#[serde(transparent)]
pub(crate) struct CowStr<'a>(#[serde(borrow)] pub(crate) Cow<'a, str>);

impl<'a> From<CowStr<'a>> for Cow<'a, str> {
    fn from(text: CowStr<'a>) -> Self {
        text.0
    }
}

/// Members of a structure that this version does not know: kept as received
/// and written back unchanged, so that a member the service adds later goes
/// back with the conversation history.
pub type UnknownMembers = serde_json::Map<String, Value>;

/// Reads a union object without buffering its known member: `is_known`
/// tells the member names this version knows, and `read_member` reads a known
/// member's value (`None` for a `null` its type cannot take, which counts as
/// absent). One known member with a value is the answer; a second one is an
/// error (`more than one member: ...`, as the AWS SDKs refuse mixed
/// variants), whatever the order. With none, the answer is `unknown` of the
/// object of the unknown members, kept whole (`{}` when there were none).
pub(crate) fn read_union<'de, A, T>(
    mut map: A,
    is_known: fn(&str) -> bool,
    mut read_member: impl FnMut(&str, &mut A) -> Result<Option<T>, A::Error>,
    unknown: impl FnOnce(Value) -> T,
) -> Result<T, A::Error>
where
    A: MapAccess<'de>,
{
    let mut found: Option<(Cow<'de, str>, T)> = None;
    let mut unknown_members = UnknownMembers::new();
    while let Some(CowStr(name)) = map.next_key()? {
        if !is_known(&name) {
            if found.is_some() {
                map.next_value::<IgnoredAny>()?;
            } else {
                let value = map.next_value::<Value>()?;
                unknown_members.insert(name.into_owned(), value);
            }
        } else if let Some((first, _)) = &found {
            if map.next_value::<Option<IgnoredAny>>()?.is_some() {
                return Err(de::Error::custom(format_args!(
                    "more than one member: `{first}` and `{name}`"
                )));
            }
        } else {
            found = read_member(&name, &mut map)?.map(|value| (name, value));
        }
    }
    Ok(match found {
        Some((_, value)) => value,
        None => unknown(Value::Object(unknown_members)),
    })
}

/// Reads the value of the known union member `member` of `union` as a `W`
/// (its wire form), converted to `T`; `None` for a `null` that `W` cannot
/// take. A value that does not read is an error naming the union and the
/// member.
pub(crate) fn read_member<'de, A, W, T>(
    map: &mut A,
    union: &str,
    member: &str,
) -> Result<Option<T>, A::Error>
where
    A: MapAccess<'de>,
    W: Deserialize<'de> + Into<T>,
{
    match map.next_value::<Member<W>>() {
        Ok(Member(value)) => Ok(value.map(Into::into)),
        Err(error) => Err(de::Error::custom(format_args!(
            "invalid {union} member `{member}`: {}",
            without_position(&error.to_string())
        ))),
    }
}

/// A union member's value: `None` for a `null` that the member's type
/// cannot take (a `null` JSON document is a value, a `null` text is not).
struct Member<W>(Option<W>);

impl<'de, W: Deserialize<'de>> Deserialize<'de> for Member<W> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Nullable<W>(PhantomData<W>);
        impl<'de, W: Deserialize<'de>> de::Visitor<'de> for Nullable<W> {
            type Value = Member<W>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a union member value")
            }
            fn visit_none<E: de::Error>(self) -> Result<Member<W>, E> {
                let null = de::value::UnitDeserializer::<E>::new();
                Ok(Member(W::deserialize(null).ok()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Member<W>, E> {
                self.visit_none()
            }
            fn visit_some<D: Deserializer<'de>>(self, value: D) -> Result<Member<W>, D::Error> {
                W::deserialize(value).map(|value| Member(Some(value)))
            }
        }
        deserializer.deserialize_option(Nullable(PhantomData))
    }
}

/// An error message without the ` at line L column C` the JSON reader adds,
/// so that an error wrapped in another says where it is only once.
fn without_position(message: &str) -> &str {
    let Some((head, tail)) = message.rsplit_once(" at line ") else {
        return message;
    };
    let is_number = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    match tail.split_once(" column ") {
        Some((line, column)) if is_number(line) && is_number(column) => head,
        _ => message,
    }
}

/// The name of an unknown union member kept whole (its first member; empty
/// when it has none).
pub(crate) fn first_member_name(value: &Value) -> &str {
    value
        .as_object()
        .and_then(|members| members.keys().next())
        .map_or("", String::as_str)
}

/// The type a union member is read as: `W` when written `T as W`, else `T`.
macro_rules! wire_type {
    (; $ty:ty) => {
        $ty
    };
    ($via:ty; $ty:ty) => {
        $via
    };
}

pub(crate) use wire_type;

/// Declares a union of the API model (exactly one member set): the known
/// members as variants, written `Variant(Type) = "wireName"` (or
/// `Variant(Type as WireType)` to read through a wire form such as
/// [`CowStr`]), and `Unknown(Value)`.
///
/// Reading is strict about what it knows and tolerant of what it does not: a
/// known member whose value does not read is an error naming the member, and
/// so are two known members with values (a `null` counts as absent, unless
/// null is a value of the member's type); only a member name this version does
/// not know makes `Unknown`, which keeps the whole object and writes it back
/// unchanged. A union that owns its members reads from a parsed `Value`
/// ([`ReadJson`]); one that borrows from its input (`pub enum Name<'a>`: the
/// stream's deltas) is read straight from the input, never through a `Value`.
///
/// [`ReadJson`]: crate::types::read::ReadJson
macro_rules! wire_union {
    // A union that owns its members: read from a parsed `Value`.
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident($ty:ty) = $wire:literal,
            )+
        }
    ) => {
        $crate::types::wire::wire_union!(@common
            $(#[$meta])*
            pub enum $name {
                $( $(#[$variant_meta])* $variant($ty) = $wire, )+
            }
        );

        impl $crate::types::read::ReadJson for $name {
            fn read_json(
                value: serde_json::Value,
            ) -> Result<Self, $crate::types::read::ReadError> {
                $crate::types::read::read_union(
                    value,
                    stringify!($name),
                    $name::is_known_member,
                    |member, value| match member {
                        $( $wire => $crate::types::read::read_union_member(value)
                            .map(|value| value.map($name::$variant)), )+
                        _ => Ok(None),
                    },
                    $name::Unknown,
                )
            }
        }

        $crate::types::read::deserialize_via_value!($name);
    };
    // A union that borrows from its input (the streaming hot path): read
    // straight from the input, never through a `Value`.
    (
        $(#[$meta:meta])*
        pub enum $name:ident <$lt:lifetime> {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident($ty:ty $(as $via:ty)?) = $wire:literal,
            )+
        }
    ) => {
        $crate::types::wire::wire_union!(@common
            $(#[$meta])*
            pub enum $name <$lt> {
                $( $(#[$variant_meta])* $variant($ty) = $wire, )+
            }
        );

        impl<'de: $lt, $lt> serde::Deserialize<'de> for $name<$lt> {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor<$lt>(std::marker::PhantomData<$name<$lt>>);
                impl<'de: $lt, $lt> serde::de::Visitor<'de> for Visitor<$lt> {
                    type Value = $name<$lt>;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        map: A,
                    ) -> Result<Self::Value, A::Error> {
                        $crate::types::wire::read_union(
                            map,
                            $name::is_known_member,
                            |member, map| match member {
                                $( $wire => $crate::types::wire::read_member::<
                                    _,
                                    $crate::types::wire::wire_type!($($via)?; $ty),
                                    _,
                                >(map, stringify!($name), $wire)
                                    .map(|value| value.map($name::$variant)), )+
                                _ => serde::de::MapAccess::next_value::<serde::de::IgnoredAny>(map)
                                    .map(|_| None),
                            },
                            $name::Unknown,
                        )
                    }
                }
                deserializer.deserialize_map(Visitor(std::marker::PhantomData))
            }
        }
    };
    (@common
        $(#[$meta:meta])*
        pub enum $name:ident $(<$lt:lifetime>)? {
            $( $(#[$variant_meta:meta])* $variant:ident($ty:ty) = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        pub enum $name $(<$lt>)? {
            $( $(#[$variant_meta])* $variant($ty), )+
            /// A member this version does not know: the whole union object
            /// (`{"<member>": value}`), written back unchanged.
            Unknown(serde_json::Value),
        }

        impl $(<$lt>)? $name $(<$lt>)? {
            /// Whether `name` is a member this version knows.
            pub fn is_known_member(name: &str) -> bool {
                matches!(name, $( $wire )|+)
            }

            /// The member's name on the wire (for an unknown member, the name
            /// it came with; empty if none).
            pub fn member_name(&self) -> &str {
                match self {
                    $( $name::$variant(_) => $wire, )+
                    $name::Unknown(value) => $crate::types::wire::first_member_name(value),
                }
            }
        }

        impl $(<$lt>)? serde::Serialize for $name $(<$lt>)? {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( $name::$variant(value) => {
                        $crate::types::wire::write_member(serializer, $wire, value)
                    } )+
                    $name::Unknown(value) => serde::Serialize::serialize(value, serializer),
                }
            }
        }
    };
}

pub(crate) use wire_union;

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
    fn positions_are_cut_only_when_they_end_the_message() {
        assert_eq!(
            without_position("missing field `a` at line 1 column 20"),
            "missing field `a`"
        );
        for kept in [
            "no position here",
            "at line 1 column x",
            "text at line 3",
            "at line  column 2",
        ] {
            assert_eq!(without_position(kept), kept);
        }
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
