using NewsCms.BrowserTests;

// One Chromium for the whole assembly; each test gets a fresh browser context (and its own app).
[assembly: AssemblyFixture(typeof(ChromiumFixture))]

// Each test runs a real app on Kestrel and drives it through one shared browser: on a 2-core machine, one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
