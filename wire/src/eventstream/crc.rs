//! CRC-32 (IEEE, as zlib and gzip) for the two checksums of a frame.
//!
//! The message CRC goes through `crc32fast`, whose carry-less-multiply path is
//! the fastest safe option for anything longer than a few words. The prelude CRC
//! covers exactly 8 bytes, and for those a single slicing-by-8 step (8 table
//! loads) is cheaper than a call into `crc32fast` (which detects CPU features
//! and then falls back to its own table code for inputs this short).

/// Slicing-by-8 tables for the reflected polynomial 0xEDB88320: `TABLES[0]` is
/// the classic byte table, `TABLES[k][b]` is `TABLES[0][b]` advanced by `k`
/// zero bytes.
static TABLES: [[u32; 256]; 8] = build_tables();

const fn build_tables() -> [[u32; 256]; 8] {
    let mut tables = [[0u32; 256]; 8];
    let mut b = 0;
    while b < 256 {
        let mut crc = b as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
            bit += 1;
        }
        tables[0][b] = crc;
        b += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut b = 0;
        while b < 256 {
            let prev = tables[k - 1][b];
            tables[k][b] = (prev >> 8) ^ tables[0][(prev & 0xFF) as usize];
            b += 1;
        }
        k += 1;
    }
    tables
}

/// The CRC-32 of exactly 8 bytes (the prelude's two lengths), in one
/// slicing-by-8 step; equal to `crc32fast::hash(bytes)`.
#[inline]
pub(super) fn crc32_8(bytes: &[u8; 8]) -> u32 {
    let lo = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) ^ !0;
    let crc = TABLES[7][(lo & 0xFF) as usize]
        ^ TABLES[6][((lo >> 8) & 0xFF) as usize]
        ^ TABLES[5][((lo >> 16) & 0xFF) as usize]
        ^ TABLES[4][(lo >> 24) as usize]
        ^ TABLES[3][usize::from(bytes[4])]
        ^ TABLES[2][usize::from(bytes[5])]
        ^ TABLES[1][usize::from(bytes[6])]
        ^ TABLES[0][usize::from(bytes[7])];
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_preludes() {
        // The smallest legal frame: total length 16, no headers.
        assert_eq!(crc32_8(&[0, 0, 0, 0x10, 0, 0, 0, 0]), 0x05c2_48eb);
        assert_eq!(crc32_8(&[0; 8]), crc32fast::hash(&[0; 8]));
        assert_eq!(crc32_8(&[0xFF; 8]), crc32fast::hash(&[0xFF; 8]));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        #[test]
        fn equals_crc32fast(bytes in any::<[u8; 8]>()) {
            prop_assert_eq!(crc32_8(&bytes), crc32fast::hash(&bytes));
        }
    }
}
