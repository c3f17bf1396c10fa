// Every test here runs against node servers started on 127.0.0.1 (npm ci on first use): the fast set leaves them out
// with `dotnet test --filter "TestCategory!=Integration&TestCategory!=Slow"`.
[assembly: Category("Integration")]
