"""Sorted exports of everything published, for comparing two builds."""
