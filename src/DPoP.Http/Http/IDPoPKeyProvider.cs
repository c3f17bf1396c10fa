namespace DPoP.Http;

/// <summary>
/// Supplies the key a DPoP client signs its proofs with. Register your own (Azure Key Vault, an HSM, a database) with
/// <c>services.AddDPoPKeyProvider&lt;T&gt;()</c> for every client or <c>builder.AddDPoPKeyProvider&lt;T&gt;()</c> for one.
/// </summary>
/// <remarks>
/// Called once per request: return a cached key (synchronously, as a completed <see cref="ValueTask{TResult}"/>)
/// rather than loading it each time. Keys that bind long-lived tokens (refresh tokens) must survive restarts, so they
/// belong in persistent storage rather than being generated per process. The provider owns the keys it returns.
/// </remarks>
public interface IDPoPKeyProvider
{
    /// <summary>Gets the key for <paramref name="keyName"/> (by default the HttpClient's name; see the <c>KeyName</c> of the client's options).</summary>
    /// <param name="keyName">Which key: clients that share a key name share a key, and so their tokens' <c>cnf.jkt</c>.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The key; never null.</returns>
    ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken);
}
