//! What an ELF file tells policy: its instruction set, the soname it
//! provides with the symbol versions it defines, and the sonames it needs
//! with the symbol versions it uses from each.
//!
//! Dependencies read as the original Conary writes them:
//! `soname: ELF64/libc.so.6(GLIBC_2.2.5 SysV x86_64)`: the ELF class and
//! the soname (prefixed by its directory when the library lives outside
//! the system library directories), then the symbol versions, the ABI
//! (`SysV`, which Linux's GNU ABI extends) and the instruction set.

use std::collections::{BTreeMap, BTreeSet};

use goblin::elf::Elf;
use goblin::elf::header::{EI_CLASS, EI_OSABI, ELFCLASS64, ET_DYN};

/// The `VER_FLG_BASE` flag of a version definition: the file's own name,
/// not a symbol version.
const VER_FLG_BASE: u16 = 1;

/// What policy needs of one ELF file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ElfInfo {
    /// `ELF32` or `ELF64`.
    pub(crate) class: &'static str,
    /// `SysV`, or `OSABI<n>` for an ABI Conary has no name for.
    pub(crate) abi: String,
    /// The instruction set as a flavor names it (`x86_64`, `x86`), if known.
    pub(crate) arch: Option<&'static str>,
    /// `DT_SONAME` of a shared object.
    pub(crate) soname: Option<String>,
    /// Symbol versions it defines (`.gnu.version_d`, the base left out).
    pub(crate) defined_versions: BTreeSet<String>,
    /// `DT_NEEDED` sonames, each with the versions needed from it.
    pub(crate) needed: BTreeMap<String, BTreeSet<String>>,
    /// `DT_RUNPATH` and `DT_RPATH` directories, as written.
    pub(crate) search_paths: Vec<String>,
}

impl ElfInfo {
    /// The flags every soname dependency of this file carries besides
    /// symbol versions: the ABI and the instruction set.
    pub(crate) fn base_flags(&self) -> Vec<String> {
        let mut flags = vec![self.abi.clone()];
        flags.extend(self.arch.map(str::to_owned));
        flags
    }
}

/// Whether `bytes` start like an ELF file.
pub(crate) fn is_elf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x7fELF")
}

/// Reads an ELF file; `None` when goblin cannot parse it (it is then
/// packaged as plain data).
pub(crate) fn analyze(bytes: &[u8]) -> Option<ElfInfo> {
    let elf = Elf::parse(bytes).ok()?;
    let is_64 = elf.header.e_ident[EI_CLASS] == ELFCLASS64;
    let class = if is_64 { "ELF64" } else { "ELF32" };
    let abi = match elf.header.e_ident[EI_OSABI] {
        // ELFOSABI_NONE (System V) and ELFOSABI_GNU (Linux).
        0 | 3 => "SysV".to_owned(),
        other => format!("OSABI{other}"),
    };
    let arch = arch_name(elf.header.e_machine, is_64, elf.little_endian);
    let name = |offset: usize| elf.dynstrtab.get_at(offset).map(str::to_owned);
    let mut defined_versions = BTreeSet::new();
    if let Some(verdef) = &elf.verdef {
        for definition in verdef.iter() {
            if definition.vd_flags & VER_FLG_BASE != 0 {
                continue;
            }
            if let Some(aux) = definition.iter().next()
                && let Some(version) = name(aux.vda_name)
            {
                defined_versions.insert(version);
            }
        }
    }
    let mut needed: BTreeMap<String, BTreeSet<String>> = elf
        .libraries
        .iter()
        .map(|library| ((*library).to_owned(), BTreeSet::new()))
        .collect();
    if let Some(verneed) = &elf.verneed {
        for need in verneed.iter() {
            let Some(file) = name(need.vn_file) else {
                continue;
            };
            let versions = needed.entry(file).or_default();
            versions.extend(need.iter().filter_map(|aux| name(aux.vna_name)));
        }
    }
    let soname = (elf.header.e_type == ET_DYN)
        .then(|| elf.soname.map(str::to_owned))
        .flatten();
    let search_paths = elf
        .runpaths
        .iter()
        .chain(&elf.rpaths)
        .flat_map(|paths| paths.split(':'))
        .filter(|path| !path.is_empty())
        .map(str::to_owned)
        .collect();
    Some(ElfInfo {
        class,
        abi,
        arch,
        soname,
        defined_versions,
        needed,
        search_paths,
    })
}

/// The flavor's name of an ELF machine.
fn arch_name(machine: u16, is_64: bool, little_endian: bool) -> Option<&'static str> {
    use goblin::elf::header::{
        EM_386, EM_AARCH64, EM_ARM, EM_IA_64, EM_MIPS, EM_PPC, EM_PPC64, EM_RISCV, EM_S390,
        EM_SPARC, EM_SPARCV9, EM_X86_64,
    };
    Some(match machine {
        EM_386 => "x86",
        EM_X86_64 => "x86_64",
        EM_AARCH64 => "aarch64",
        EM_ARM => "arm",
        EM_PPC => "ppc",
        EM_PPC64 if little_endian => "ppc64le",
        EM_PPC64 => "ppc64",
        EM_S390 if is_64 => "s390x",
        EM_S390 => "s390",
        EM_SPARC => "sparc",
        EM_SPARCV9 => "sparc64",
        EM_IA_64 => "ia64",
        41 => "alpha",
        EM_MIPS if is_64 => "mips64",
        EM_MIPS => "mips",
        EM_RISCV if is_64 => "riscv64",
        EM_RISCV => "riscv32",
        _ => return None,
    })
}

/// Whether `dir` is a directory the dynamic linker searches by default:
/// `/lib`, `/usr/lib` and their `64`, `32`, `x32` and multiarch
/// (`/usr/lib/x86_64-linux-gnu`) forms.
pub(crate) fn is_system_lib_dir(dir: &str) -> bool {
    let rest = dir.strip_prefix("/usr").unwrap_or(dir);
    let Some(rest) = rest.strip_prefix("/lib") else {
        return false;
    };
    match rest {
        "" | "64" | "32" | "x32" => true,
        _ => rest
            .strip_prefix('/')
            .is_some_and(|triplet| !triplet.contains('/') && triplet.contains("-linux-")),
    }
}

/// The name of a soname dependency on `soname` found in directory `dir`:
/// `ELF64/libfoo.so.1` in a system directory, `ELF64/usr/lib/foo/libfoo.so.1`
/// elsewhere.
pub(crate) fn soname_dep_name(class: &str, dir: &str, soname: &str) -> String {
    if is_system_lib_dir(dir) {
        format!("{class}/{soname}")
    } else {
        format!("{class}{dir}/{soname}")
    }
}
