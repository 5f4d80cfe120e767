namespace IdentityHost.SampleResourceApi.Greetings;

/// <summary>What every greeting endpoint answers.</summary>
public sealed record GreetingResponse(string Message, string? Username, IReadOnlyList<string> Roles);
