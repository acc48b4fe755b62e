using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace NewsCms.Web.Data;

/// <summary>
/// A compiled query (<see cref="EF.CompileAsyncQuery{TContext, TResult}(System.Linq.Expressions.Expression{Func{TContext, DbSet{TResult}}})"/>)
/// per EF model. EF binds a compiled query to the model of the first context that runs it, and one process can hold
/// several: SQLite's and PostgreSQL's (the tests run both), or a context configured with options of its own. Each
/// model gets its own, made on first use; a lookup is a weak-table read.
/// </summary>
public sealed class CompiledForModel<TQuery>(Func<TQuery> compile) where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> byModel = [];

    public TQuery For(DbContext db) => byModel.GetValue(db.Model, _ => compile());
}
