namespace DPoP.Http.Samples.Client;

/// <summary>Where the sample sends its requests; empty means the in-process demo server.</summary>
internal sealed class ServerSettings
{
    public Uri? TokenEndpoint { get; set; }

    public Uri? ApiBaseAddress { get; set; }

    public string ClientId { get; set; } = "demo-client";

    public string ClientSecret { get; set; } = "demo-secret";
}
