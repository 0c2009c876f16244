//! Dependencies: classes, dependency sets and satisfaction.
