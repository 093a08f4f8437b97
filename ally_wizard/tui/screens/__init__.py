"""One screen per step, each with its stylesheet beside it; imported lazily by `ally_wizard.tui.steps`."""
