namespace DPoP.Http;

/// <summary>
/// What one API request's token is asked for, as the customizer registered with <c>AddDPoPTokenPartition()</c> sets it
/// (per tenant, say): scope, resources, audience and extra parameters. Everything set here is part of the token's
/// cache key (in memory and in a shared cache), so requests that set the same values share one token, requested once
/// (single flight per partition), and a request never carries a token obtained for other values.
/// </summary>
/// <remarks>
/// A property left unset keeps the client's own setting (<see cref="DPoPTokenClientOptions.Scope"/>,
/// <see cref="DPoPTokenClientOptions.Resources"/>, <see cref="DPoPTokenClientOptions.Audience"/>); parameters are added
/// to <see cref="DPoPTokenClientOptions.Parameters"/>, replacing one of the same name. Nothing set here is logged or
/// put in a trace tag.
/// </remarks>
public sealed class DPoPTokenPartition
{
    private List<string>? _resources;
    private Dictionary<string, string>? _parameters;

    internal DPoPTokenPartition(HttpRequestMessage request) => Request = request;

    /// <summary>The API request that needs a token (read it; changing it here is not the place).</summary>
    public HttpRequestMessage Request { get; }

    /// <summary>The <c>scope</c> to request instead of the client's, space-separated; null keeps the client's.</summary>
    public string? Scope { get; set; }

    /// <summary>Resource indicators (RFC 8707) to request instead of the client's; empty keeps the client's.</summary>
    public IList<string> Resources => _resources ??= [];

    /// <summary>The <c>audience</c> to request instead of the client's; null keeps the client's.</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// Extra form parameters (a <c>tenant</c>, say), added to the client's. The names the client sets itself
    /// (<c>grant_type</c>, <c>client_id</c>, <c>scope</c>, <c>resource</c>, <c>audience</c>, …) fail the request with
    /// an <see cref="ArgumentException"/>; a null value does too.
    /// </summary>
    public IDictionary<string, string> Parameters => _parameters ??= new Dictionary<string, string>(StringComparer.Ordinal);

    internal bool IsDefault => Scope is null && Audience is null && _resources is not { Count: > 0 } && _parameters is not { Count: > 0 };

    internal IReadOnlyList<string> SetResources => (IReadOnlyList<string>?)_resources ?? [];

    internal IEnumerable<KeyValuePair<string, string>> SetParameters => (IEnumerable<KeyValuePair<string, string>>?)_parameters ?? [];
}
