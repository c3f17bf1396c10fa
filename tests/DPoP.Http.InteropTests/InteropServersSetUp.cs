namespace DPoP.Http.InteropTests;

/// <summary>Starts the third-party servers (<see cref="InteropServers"/>) once for every test in this namespace and below.</summary>
[SetUpFixture]
public sealed class InteropServersSetUp : InteropServers;
