namespace DPoP.Http;

/// <summary>
/// Remembers the latest <c>DPoP-Nonce</c> each server gave (RFC 9449 §8.2), keyed by the origin (scheme, host, port)
/// of the request URI, so that the next proof to that origin carries it. A nonce is never used for another origin.
/// </summary>
/// <remarks>
/// Implementations must be thread-safe: every request of a client reads it and responses write it concurrently.
/// Both members are on every request's path: complete synchronously when the answer is at hand (as
/// <see cref="DPoPNonceStore"/> always does), so an awaited call costs nothing. The synchronous
/// <see cref="HttpClient.Send(HttpRequestMessage)"/> uses a completed result directly; a store that does not complete
/// synchronously makes it wait for the store on the calling thread, so a store meant for <c>Send</c> answers from memory
/// and does slow work (a remote cache) in the background.
/// </remarks>
public interface IDPoPNonceStore
{
    /// <summary>Gets the nonce stored for the origin of <paramref name="requestUri"/>.</summary>
    /// <param name="requestUri">An absolute http(s) request URI.</param>
    /// <param name="cancellationToken">The request's cancellation token.</param>
    /// <returns>The nonce, or null when none is known (or it expired).</returns>
    ValueTask<string?> GetNonceAsync(Uri requestUri, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="nonce"/> for the origin of <paramref name="requestUri"/>, replacing the previous one.
    /// Called for every response that carries a valid nonce, also when it repeats the stored one: a store that lets
    /// nonces expire counts from the last time the server sent it.
    /// </summary>
    /// <param name="requestUri">The absolute http(s) URI of the request whose response carried the nonce.</param>
    /// <param name="nonce">A valid nonce (<c>1*NQCHAR</c>).</param>
    /// <param name="cancellationToken">The request's cancellation token.</param>
    /// <returns>A task that completes when the nonce is stored.</returns>
    ValueTask SetNonceAsync(Uri requestUri, string nonce, CancellationToken cancellationToken);
}
