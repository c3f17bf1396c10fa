namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>Starts the third-party servers (<see cref="InteropServers"/>) once for every test in this namespace and below.</summary>
[SetUpFixture]
public sealed class InteropServersSetUp : InteropServers;
