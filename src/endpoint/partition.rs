//! AWS partitions (`partitions.json`): which partition a region belongs to,
//! and the DNS suffixes its hostnames end in.
//!
//! The lookup is the rule-set function `aws.partition`: a region listed by
//! name in a partition belongs to it; otherwise the first partition whose
//! `regionRegex` matches; otherwise the `aws` partition. The regexes are
//! matched by hand (see [`RegionPattern`]), faithful to their text in
//! `partitions.json`.
//!
//! Every partition in `partitions.json` has `supportsFIPS` and
//! `supportsDualStack` set, so the rule-set branches for a partition without
//! them cannot be taken and are not modelled here (a test checks the flags).

/// One AWS partition: its id and the DNS suffixes of its hostnames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// The partition id, as in ARNs: `aws`, `aws-cn`, `aws-us-gov`, ...
    pub id: &'static str,
    /// The suffix of ordinary regional hostnames, e.g. `amazonaws.com`.
    pub dns_suffix: &'static str,
    /// The suffix of dual-stack (IPv4 and IPv6) hostnames, e.g. `api.aws`.
    pub dual_stack_dns_suffix: &'static str,
}

/// A `regionRegex` of the shape `^(p1|p2|...)\-\w+\-\d+$`: one of the
/// literal prefixes (each written here with its closing `-`), then a word
/// (`[A-Za-z0-9_]+`), a `-`, and digits up to the end.
struct RegionPattern {
    prefixes: &'static [&'static str],
}

impl RegionPattern {
    fn matches(&self, region: &str) -> bool {
        self.prefixes.iter().any(|prefix| {
            region
                .strip_prefix(prefix)
                .and_then(|rest| rest.split_once('-'))
                .is_some_and(|(word, digits)| {
                    !word.is_empty()
                        && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                        && !digits.is_empty()
                        && digits.bytes().all(|b| b.is_ascii_digit())
                })
        })
    }
}

/// A partition with what `aws.partition` matches a region against.
struct Entry {
    partition: Partition,
    pattern: RegionPattern,
    /// Regions listed by name in `partitions.json` that the pattern does not
    /// place in this partition (the `*-global` pseudo-regions). Every other
    /// listed region matches this partition's pattern and no earlier one.
    named_regions: &'static [&'static str],
}

/// `partitions.json` in its own order, which decides ties between patterns.
const PARTITIONS: [Entry; 8] = [
    Entry {
        partition: Partition {
            id: "aws",
            dns_suffix: "amazonaws.com",
            dual_stack_dns_suffix: "api.aws",
        },
        // ^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$
        pattern: RegionPattern {
            prefixes: &[
                "us-", "eu-", "ap-", "sa-", "ca-", "me-", "af-", "il-", "mx-",
            ],
        },
        named_regions: &["aws-global"],
    },
    Entry {
        partition: Partition {
            id: "aws-cn",
            dns_suffix: "amazonaws.com.cn",
            dual_stack_dns_suffix: "api.amazonwebservices.com.cn",
        },
        // ^cn\-\w+\-\d+$
        pattern: RegionPattern { prefixes: &["cn-"] },
        named_regions: &["aws-cn-global"],
    },
    Entry {
        partition: Partition {
            id: "aws-eusc",
            dns_suffix: "amazonaws.eu",
            dual_stack_dns_suffix: "api.amazonwebservices.eu",
        },
        // ^eusc\-(de)\-\w+\-\d+$
        pattern: RegionPattern {
            prefixes: &["eusc-de-"],
        },
        named_regions: &[],
    },
    Entry {
        partition: Partition {
            id: "aws-iso",
            dns_suffix: "c2s.ic.gov",
            dual_stack_dns_suffix: "api.aws.ic.gov",
        },
        // ^us\-iso\-\w+\-\d+$
        pattern: RegionPattern {
            prefixes: &["us-iso-"],
        },
        named_regions: &["aws-iso-global"],
    },
    Entry {
        partition: Partition {
            id: "aws-iso-b",
            dns_suffix: "sc2s.sgov.gov",
            dual_stack_dns_suffix: "api.aws.scloud",
        },
        // ^us\-isob\-\w+\-\d+$
        pattern: RegionPattern {
            prefixes: &["us-isob-"],
        },
        named_regions: &["aws-iso-b-global"],
    },
    Entry {
        partition: Partition {
            id: "aws-iso-e",
            dns_suffix: "cloud.adc-e.uk",
            dual_stack_dns_suffix: "api.cloud-aws.adc-e.uk",
        },
        // ^eu\-isoe\-\w+\-\d+$
        pattern: RegionPattern {
            prefixes: &["eu-isoe-"],
        },
        named_regions: &["aws-iso-e-global"],
    },
    Entry {
        partition: Partition {
            id: "aws-iso-f",
            dns_suffix: "csp.hci.ic.gov",
            dual_stack_dns_suffix: "api.aws.hci.ic.gov",
        },
        // ^us\-isof\-\w+\-\d+$
        pattern: RegionPattern {
            prefixes: &["us-isof-"],
        },
        named_regions: &["aws-iso-f-global"],
    },
    Entry {
        partition: Partition {
            id: "aws-us-gov",
            dns_suffix: "amazonaws.com",
            dual_stack_dns_suffix: "api.aws",
        },
        // ^us\-gov\-\w+\-\d+$
        pattern: RegionPattern {
            prefixes: &["us-gov-"],
        },
        named_regions: &["aws-us-gov-global"],
    },
];

/// The partition `region` belongs to, as the rule-set function `aws.partition`
/// finds it; a region no partition claims falls in `aws`.
///
/// ```
/// use bedrock_lite::endpoint::partition_of;
/// assert_eq!(partition_of("cn-north-1").dns_suffix, "amazonaws.com.cn");
/// assert_eq!(partition_of("us-gov-west-1").id, "aws-us-gov");
/// assert_eq!(partition_of("mars-north-1").id, "aws");
/// ```
pub fn partition_of(region: &str) -> &'static Partition {
    let by_name = PARTITIONS
        .iter()
        .find(|entry| entry.named_regions.contains(&region));
    let by_pattern = || {
        PARTITIONS
            .iter()
            .find(|entry| entry.pattern.matches(region))
    };
    let [aws, ..] = &PARTITIONS;
    &by_name.or_else(by_pattern).unwrap_or(aws).partition
}

/// Every partition, in the order of `partitions.json`.
pub fn partitions() -> impl Iterator<Item = &'static Partition> {
    PARTITIONS.iter().map(|entry| &entry.partition)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn regions_fall_in_their_partitions() {
        let cases = [
            ("us-east-1", "aws"),
            ("ap-southeast-7", "aws"),
            ("mx-central-1", "aws"),
            ("aws-global", "aws"),
            ("cn-northwest-1", "aws-cn"),
            ("aws-cn-global", "aws-cn"),
            ("eusc-de-east-1", "aws-eusc"),
            ("us-iso-east-1", "aws-iso"),
            ("us-isob-east-1", "aws-iso-b"),
            ("eu-isoe-west-1", "aws-iso-e"),
            ("us-isof-south-1", "aws-iso-f"),
            ("us-gov-west-1", "aws-us-gov"),
            ("aws-us-gov-global", "aws-us-gov"),
            // Not claimed by any pattern: the default partition.
            ("eusc-fr-east-1", "aws"),
            ("xx-east-1", "aws"),
            ("", "aws"),
            // `us-gov-1` has the aws shape (`us`, word `gov`, digits `1`).
            ("us-gov-1", "aws"),
        ];
        for (region, id) in cases {
            assert_eq!(partition_of(region).id, id, "{region}");
        }
    }

    #[test]
    fn patterns_need_a_word_then_digits() {
        let aws = RegionPattern { prefixes: &["us-"] };
        assert!(aws.matches("us-east-1"));
        assert!(aws.matches("us-EAST_2-10"));
        for region in [
            "us-east-",
            "us--1",
            "us-east-1a",
            "us-east-west-1",
            "us-east",
            "uss-east-1",
        ] {
            assert!(!aws.matches(region), "{region}");
        }
    }

    proptest! {
        #[test]
        fn any_text_has_a_partition(region in any::<String>()) {
            let partition = partition_of(&region);
            prop_assert!(partitions().any(|p| p == partition));
        }
    }
}
