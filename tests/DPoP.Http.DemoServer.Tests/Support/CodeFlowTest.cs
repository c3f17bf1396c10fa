namespace DPoP.Http.DemoServer.Tests.Support;

/// <summary>A demo server and a code-flow client shared by the tests of one class (started once, stopped at the end).</summary>
internal abstract class CodeFlowTest
{
    /// <summary>The server under test.</summary>
    protected DemoServer Server { get; private set; } = null!;

    /// <summary>A client that drives the authorization code flow against <see cref="Server"/>.</summary>
    protected CodeFlowClient Client { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        Server = await DemoServer.StartAsync();
        Client = new CodeFlowClient(Server);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
