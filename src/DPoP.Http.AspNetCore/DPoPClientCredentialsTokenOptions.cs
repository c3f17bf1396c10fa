using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;

namespace DPoP.Http.AspNetCore;

/// <summary>
/// What an HttpClient's app tokens are asked for when they come through an OpenID Connect scheme
/// (<c>AddDPoPClientCredentialsToken(openIdConnectScheme, o => …)</c>): scope, resources, audience, extra parameters,
/// and when to renew them. The token endpoint, client id, secret, client authentication and assertion key come from
/// the scheme (<see cref="DPoPOpenIdConnectOptions"/> and its OpenID Connect options), so they are not here. Named after
/// the HttpClient, validated at start-up.
/// </summary>
public sealed class DPoPClientCredentialsTokenOptions
{
    /// <summary>The <c>scope</c> to request, space-separated; none by default.</summary>
    public string? Scope { get; set; }

    /// <summary>Resource indicators (RFC 8707) to request: one <c>resource</c> parameter each.</summary>
    public IList<string> Resources { get; } = [];

    /// <summary>An <c>audience</c> parameter, for servers that use it instead of resource indicators.</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// Extra form parameters sent with every token request of this client. Names the client sets itself
    /// (<c>grant_type</c>, <c>client_id</c>, <c>client_secret</c>, <c>scope</c>, <c>resource</c>, <c>audience</c>, …) are
    /// refused at start-up; use <see cref="Scope"/>, <see cref="Resources"/> and <see cref="Audience"/> for those.
    /// </summary>
    public IDictionary<string, string> Parameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Renew a cached token this long before it expires (at most half its lifetime). Default 60 seconds; not negative.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = DPoP.Http.Internal.GeneratedOptionsRules.TrimSafeRange)]
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", ErrorMessage = "must not be negative.")]
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long to use a token whose response had no usable <c>expires_in</c> (absent, <c>null</c>, zero, negative or
    /// <c>NaN</c>). Default 5 minutes; positive.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = DPoP.Http.Internal.GeneratedOptionsRules.TrimSafeRange)]
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true, ErrorMessage = "must be positive.")]
    public TimeSpan DefaultTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);


    /// <summary>Sets what this type holds on <paramref name="options"/>, the scheme's token client options.</summary>
    internal void ApplyTo(DPoPTokenClientOptions options)
    {
        options.Scope = Scope;
        options.Audience = Audience;
        options.RefreshBeforeExpiry = RefreshBeforeExpiry;
        options.DefaultTokenLifetime = DefaultTokenLifetime;
        foreach (var resource in Resources)
        {
            options.Resources.Add(resource);
        }

        foreach (var (name, value) in Parameters)
        {
            options.Parameters[name] = value;
        }
    }
}
