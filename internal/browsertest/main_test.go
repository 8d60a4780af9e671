package browsertest

import "testing"

// The tests here share one browser, as a package of page tests would;
// TestOwnBrowser checks New without Main.
func TestMain(m *testing.M) { Main(m) }
