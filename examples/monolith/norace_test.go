//go:build !race

package main

// raceEnabled tells TestBinary to build the demo with -race, reusing the
// packages this test binary was built with.
const raceEnabled = false
