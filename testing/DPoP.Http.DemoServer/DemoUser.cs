namespace DPoP.Http.DemoServer;

/// <summary>A user who can sign in at the demo server's sign-in page; no password, one click.</summary>
/// <param name="Subject">The <c>sub</c> claim, unique among the users; also the value <c>login_hint</c> may name.</param>
/// <param name="Name">The <c>name</c> claim and the label of the sign-in button.</param>
/// <param name="Email">The <c>email</c> claim.</param>
public sealed record DemoUser(string Subject, string Name, string Email);
