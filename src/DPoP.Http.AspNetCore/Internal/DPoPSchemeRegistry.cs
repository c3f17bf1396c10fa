namespace DPoP.Http.AspNetCore.Internal;

/// <summary>The OpenID Connect schemes that <c>AddOpenIdConnectDPoP()</c> was called for.</summary>
internal sealed class DPoPSchemeRegistry
{
    private readonly HashSet<string> _schemes = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Schemes => _schemes;

    public void Add(string scheme) => _schemes.Add(scheme);

    public bool Contains(string scheme) => _schemes.Contains(scheme);
}
