namespace DPoP.Http.Samples.Web;

/// <summary>The OpenID provider and API the sample uses; no <see cref="Authority"/> means the in-process demo server.</summary>
internal sealed class ServerSettings
{
    public Uri? Authority { get; set; }

    public string ClientId { get; set; } = DemoServer.DemoServerOptions.DefaultWebClientId;

    public string ClientSecret { get; set; } = DemoServer.DemoServerOptions.DefaultWebClientSecret;

    public Uri? ApiBaseAddress { get; set; }

    /// <summary>The scopes to ask for besides <c>openid profile</c>.</summary>
    public string Scope { get; set; } = "offline_access";
}
