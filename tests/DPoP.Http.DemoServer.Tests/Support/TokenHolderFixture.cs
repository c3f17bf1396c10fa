namespace DPoP.Http.DemoServer.Tests.Support;

/// <summary>
/// A fixture with one running demo server, a client for it, a DPoP key and an access token bound to that key:
/// what every resource-side test class starts from.
/// </summary>
public abstract class TokenHolderFixture
{
    private protected DemoServer Server { get; private set; } = null!;

    private protected DemoServerClient Client { get; private set; } = null!;

    private protected DPoPKey Key { get; private set; } = null!;

    private protected string Token { get; private set; } = null!;

    private protected Uri Orders => new(Server.ApiBaseAddress, "orders");

    /// <summary>The server's options; the defaults unless a fixture needs more.</summary>
    protected virtual DemoServerOptions CreateOptions() => new();

    [OneTimeSetUp]
    public async Task StartServer()
    {
        Server = await DemoServer.StartAsync(CreateOptions());
        Client = new DemoServerClient(Server);
        Key = DPoPKey.Generate();
        Token = await Client.GetAccessTokenAsync(Key);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        Key.Dispose();
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
