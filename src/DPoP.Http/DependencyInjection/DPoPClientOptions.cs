namespace DPoP.Http;

/// <summary>
/// Settings of one DPoP-enabled HttpClient, named after the client (<c>IOptionsMonitor&lt;DPoPClientOptions&gt;.Get(name)</c>)
/// and bindable from configuration, validated when the app starts: where its key comes from, and the handler's
/// behaviour (<see cref="DPoPHandlerOptions"/>).
/// </summary>
public sealed class DPoPClientOptions : DPoPHandlerOptions
{
    /// <summary>
    /// The signing algorithm (see <see cref="DPoPAlgorithms"/>). A generated key uses it, ES256 when null; a configured
    /// key (<see cref="PrivateKey"/>, <see cref="PrivateKeyPath"/>) must fit it, and implies it when null.
    /// </summary>
    public string? Algorithm { get; set; }

    /// <summary>
    /// The name of the key to sign with; by default the HttpClient's name. Clients that must share a key — the one
    /// that calls the token endpoint and the one that calls the API, so that the token's <c>cnf.jkt</c> matches —
    /// set the same key name.
    /// </summary>
    public string? KeyName { get; set; }

    /// <summary>A private key, inline: PEM (PKCS#8, SEC 1 or PKCS#1) or a private JWK as JSON. Takes precedence over a generated key.</summary>
    public string? PrivateKey { get; set; }

    /// <summary>The path of a file holding a private key as PEM or as a private JWK.</summary>
    public string? PrivateKeyPath { get; set; }
}
