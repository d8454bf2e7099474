from policykg.cli import main

raise SystemExit(main())
